namespace FogLens.AgeModel.Training;

/// <summary>Settings of a training run (the `age train` command).</summary>
public sealed record TrainingOptions
{
    public required string DataDirectory { get; init; }

    public required string OutputDirectory { get; init; }

    public AgeNetConfig Network { get; init; } = new();

    public int Epochs { get; init; } = 60;

    public int BatchSize { get; init; } = 64;

    public double LearningRate { get; init; } = 3e-3;

    public double WeightDecay { get; init; } = 5e-4;

    /// <summary>L1 on the expected age added to the KL loss (DLDL-v2 style); 0 trains on KL alone.</summary>
    public double ExpectationLossWeight { get; init; }

    /// <summary>Power of the age re-weighting against imbalance (<see cref="AgeBalance"/>); 0 weighs every face alike.</summary>
    public double BalancePower { get; init; }

    /// <summary>
    /// Train with int8 quantisation noise in the forward pass (<see cref="AgeNet.QuantizationNoise"/>), the activation
    /// scales recalibrated on <see cref="CalibrationFaces"/> training faces before every epoch and saved beside the weights.
    /// </summary>
    public bool QuantizationNoise { get; init; }

    /// <summary>Training faces used to calibrate the activation scales.</summary>
    public int CalibrationFaces { get; init; } = 512;

    public float AugmentationStrength { get; init; } = 1f;

    /// <summary>α of <see cref="Mixup"/>; 0 trains without mixup.</summary>
    public double MixupAlpha { get; init; }

    /// <summary>Age models (ONNX) to distil from: their mean distribution is blended into every target.</summary>
    public IReadOnlyList<string> Teachers { get; init; } = [];

    /// <summary>Share of the teachers' distribution in the target (0..1).</summary>
    public double DistillationWeight { get; init; } = 0.5;

    public int Seed { get; init; } = 42;

    public int Threads { get; init; } = 2;

    public double ValidationFraction { get; init; } = Data.DatasetSplit.DefaultValidationFraction;

    /// <summary>Stop after the epoch that would cross this budget; null for no limit.</summary>
    public TimeSpan? TimeBudget { get; init; }

    /// <summary>Continue from the checkpoint in the output directory.</summary>
    public bool Resume { get; init; }

    /// <summary>Use at most this many training and validation images (quick runs and tests).</summary>
    public int? Limit { get; init; }

    /// <summary>Start from these weights instead of a random initialisation (fine-tuning).</summary>
    public string? InitialWeights { get; init; }

    public void Validate()
    {
        Network.Validate();
        if (Epochs < 1 || BatchSize < 1 || LearningRate <= 0 || WeightDecay < 0 || Threads < 1 || ExpectationLossWeight < 0 || BalancePower < 0 || CalibrationFaces < 1)
        {
            throw new ArgumentException("epochs, batch size, learning rate, threads must be positive; weight decay, expectation weight and balance power not negative");
        }

        if (MixupAlpha < 0 || DistillationWeight is < 0 or > 1)
        {
            throw new ArgumentException("mixup alpha must not be negative and the distillation weight must be in [0, 1]");
        }

        if (ValidationFraction is <= 0 or >= 1)
        {
            throw new ArgumentException("validation fraction must be in (0, 1)");
        }
    }
}
