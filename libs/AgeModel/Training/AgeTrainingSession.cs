using TorchSharp;
using static TorchSharp.torch;

namespace FogLens.AgeModel.Training;

/// <summary>
/// An age network with its optimizer: one epoch of training (label distribution + KL divergence),
/// prediction, and weight I/O. Used by the training CLI and by the fog's federated client, so both
/// train with exactly the same code. Not thread-safe; one session per training worker.
/// </summary>
public sealed class AgeTrainingSession : IDisposable
{
    private readonly AdamWOptimizer _optimizer;
    private readonly float[] _targets;

    public AgeTrainingSession(AgeNetConfig config, double learningRate, double weightDecay, int seed, int threads)
    {
        torch.set_num_threads(Math.Max(1, threads));
        torch.manual_seed(seed);
        Network = new AgeNet(config);
        _optimizer = new AdamWOptimizer(Network.parameters(), learningRate, weightDecay);
        _targets = new float[LabelDistribution.Bins * LabelDistribution.Bins];
        for (var age = 0; age < LabelDistribution.Bins; age++)
        {
            LabelDistribution.Target(config.Labels, age, config.Sigma, _targets.AsSpan(age * LabelDistribution.Bins, LabelDistribution.Bins));
        }
    }

    public AgeNet Network { get; }

    public AgeNetConfig Config => Network.Config;

    /// <summary>Weight of an L1 loss on the expected age added to the KL loss (DLDL-v2); 0 for pure KL.</summary>
    public double ExpectationLossWeight { get; init; }

    /// <summary>
    /// Loss weight of each age 0..<see cref="LabelDistribution.MaxAge"/> (<see cref="AgeBalance.Weights"/>) against the
    /// data's age imbalance; null weighs every face alike.
    /// </summary>
    public IReadOnlyList<float>? AgeWeights { get; init; }

    /// <summary>α of <see cref="Mixup"/> (λ ~ Beta(α, α) per batch); 0 trains without mixup.</summary>
    public double MixupAlpha { get; init; }

    /// <summary>
    /// Distillation teachers: age models (ONNX, the same input size) whose mean distribution on each augmented (and
    /// mixed) input is blended into the target with <see cref="DistillationWeight"/>. Owned by the caller.
    /// </summary>
    public IReadOnlyList<Inference.AgeEstimator> Teachers { get; init; } = [];

    /// <summary>Share β of the teachers' distribution in the target: (1 − β)·label distribution + β·teachers.</summary>
    public double DistillationWeight { get; init; }

    public double LearningRate
    {
        get => _optimizer.LearningRate;
        set => _optimizer.LearningRate = value;
    }

    /// <summary>
    /// Trains one pass over <paramref name="data"/> in a shuffled order drawn from <paramref name="rng"/>,
    /// with random augmentation. <paramref name="learningRateAt"/> gives the rate for each step (0-based
    /// within the epoch). Returns the mean loss.
    /// </summary>
    public double TrainEpoch(
        StagedFaceSet data,
        int batchSize,
        Random rng,
        Func<int, double> learningRateAt,
        float augmentationStrength,
        IProgress<(int Done, int Total, double Loss)>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentNullException.ThrowIfNull(learningRateAt);
        var order = Enumerable.Range(0, data.Count).ToArray();
        rng.Shuffle(order);
        var steps = data.Count / batchSize;
        if (steps == 0)
        {
            steps = data.Count > 0 ? 1 : 0;
        }

        Network.train();
        var length = data.Preprocessor.TensorLength;
        var size = data.Preprocessor.InputSize;
        var inputs = new float[batchSize * length];
        var targets = new float[batchSize * LabelDistribution.Bins];
        var ages = new float[batchSize];
        var weights = new float[batchSize];
        float[]? scratch = null;
        double lossSum = 0;
        for (var step = 0; step < steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var count = Math.Min(batchSize, data.Count - (step * batchSize));
            for (var b = 0; b < count; b++)
            {
                var index = order[(step * batchSize) + b];
                var augmentation = augmentationStrength > 0 ? Imaging.Augmentation.Random(rng, augmentationStrength) : Imaging.Augmentation.Identity;
                data.Preprocessor.ToTensor(data.Stage(index), inputs.AsSpan(b * length, length), augmentation);
                var age = LabelDistribution.Clamp(data.Samples[index].Label.Age);
                ages[b] = age;
                weights[b] = AgeWeights is { } w ? w[age] : 1f;
                _targets.AsSpan(age * LabelDistribution.Bins, LabelDistribution.Bins).CopyTo(targets.AsSpan(b * LabelDistribution.Bins, LabelDistribution.Bins));
            }

            if (MixupAlpha > 0 && count > 1)
            {
                var partner = Enumerable.Range(0, count).ToArray();
                rng.Shuffle(partner);
                scratch ??= new float[inputs.Length];
                Mixup.Mix(inputs, length, targets, LabelDistribution.Bins, ages, weights, count, Mixup.SampleLambda(rng, MixupAlpha), partner, scratch);
            }

            if (Teachers.Count > 0 && DistillationWeight > 0)
            {
                BlendTeachers(inputs.AsMemory(0, count * length), count, targets);
            }

            LearningRate = learningRateAt(step);
            float value;
            using (var scope = NewDisposeScope())
            {
                var x = torch.tensor(inputs.AsSpan(0, count * length).ToArray(), [count, 3, size, size]);
                var t = torch.tensor(targets.AsSpan(0, count * LabelDistribution.Bins).ToArray(), [count, LabelDistribution.Bins]);
                var logits = Network.forward(x);
                var sampleWeights = torch.tensor(weights.AsSpan(0, count).ToArray(), [count]);
                var loss = (KlPerFace(logits, t) * sampleWeights).mean();
                if (ExpectationLossWeight > 0)
                {
                    var y = torch.tensor(ages.AsSpan(0, count).ToArray(), [count]);
                    using var weight = ExpectationLossWeight.ToScalar();
                    loss = loss.add(((Expected(logits) - y).abs() * sampleWeights).mean(), weight);
                }

                _optimizer.ZeroGrad();
                loss.backward();
                value = loss.item<float>();
            }

            _optimizer.Step();
            if (!float.IsFinite(value))
            {
                throw new InvalidOperationException($"training diverged: loss is {value} at step {step}");
            }

            lossSum += value;
            progress?.Report((step + 1, steps, lossSum / (step + 1)));
        }

        return steps == 0 ? double.NaN : lossSum / steps;
    }

    /// <summary>targets ← (1 − β)·targets + β·(mean of the teachers' distributions on the same inputs).</summary>
    private void BlendTeachers(Memory<float> inputs, int count, float[] targets)
    {
        var beta = (float)DistillationWeight;
        var share = beta / Teachers.Count;
        for (var i = 0; i < count * LabelDistribution.Bins; i++)
        {
            targets[i] *= 1 - beta;
        }

        foreach (var teacher in Teachers)
        {
            var predictions = teacher.PredictPrepared(inputs, count, flipAverage: false);
            for (var b = 0; b < count; b++)
            {
                var distribution = predictions[b].Distribution;
                for (var k = 0; k < LabelDistribution.Bins; k++)
                {
                    targets[(b * LabelDistribution.Bins) + k] += share * distribution[k];
                }
            }
        }
    }

    /// <summary>Predicted age distributions (softmax) for every face, without augmentation.</summary>
    public float[][] Predict(StagedFaceSet data, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(data);
        Network.eval();
        var length = data.Preprocessor.TensorLength;
        var size = data.Preprocessor.InputSize;
        var results = new float[data.Count][];
        var inputs = new float[batchSize * length];
        using var noGrad = torch.no_grad();
        for (var start = 0; start < data.Count; start += batchSize)
        {
            var count = Math.Min(batchSize, data.Count - start);
            for (var b = 0; b < count; b++)
            {
                data.Preprocessor.ToTensor(data.Stage(start + b), inputs.AsSpan(b * length, length), Imaging.Augmentation.Identity);
            }

            using var scope = NewDisposeScope();
            var x = torch.tensor(inputs.AsSpan(0, count * length).ToArray(), [count, 3, size, size]);
            var probs = nn.functional.softmax(Network.forward(x), 1).data<float>().ToArray();
            for (var b = 0; b < count; b++)
            {
                results[start + b] = probs.AsSpan(b * LabelDistribution.Bins, LabelDistribution.Bins).ToArray();
            }
        }

        return results;
    }

    /// <summary>Mean absolute error of expected ages against the (clamped) labels.</summary>
    public double MeanAbsoluteError(StagedFaceSet data)
    {
        var predictions = Predict(data);
        double sum = 0;
        for (var i = 0; i < predictions.Length; i++)
        {
            sum += Math.Abs(LabelDistribution.ExpectedAge(predictions[i]) - LabelDistribution.Clamp(data.Samples[i].Label.Age));
        }

        return predictions.Length == 0 ? double.NaN : sum / predictions.Length;
    }

    public void SaveWeights(string path)
    {
        var tmp = path + ".tmp";
        Network.save(tmp);
        File.Move(tmp, path, overwrite: true);
    }

    public void LoadWeights(string path) => Network.load(path);

    public void SaveOptimizer(string path)
    {
        var tmp = path + ".tmp";
        _optimizer.Save(tmp);
        File.Move(tmp, path, overwrite: true);
    }

    public void LoadOptimizer(string path) => _optimizer.Load(path);

    /// <summary>KL(target ‖ softmax(logits)), averaged over the batch.</summary>
    public static Tensor KlLoss(Tensor logits, Tensor target) => KlPerFace(logits, target).mean();

    /// <summary>KL(target ‖ softmax(logits)) of each face, [N].</summary>
    private static Tensor KlPerFace(Tensor logits, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(target);
        var logP = nn.functional.log_softmax(logits, 1);
        using var tiny = 1e-12.ToScalar();
        var logT = target.clamp_min(tiny).log();
        return (target * (logT - logP)).sum(1);
    }

    private static Tensor Expected(Tensor logits)
    {
        var bins = torch.tensor(AgeBins);
        return (nn.functional.softmax(logits, 1) * bins).sum(1);
    }

    private static readonly float[] AgeBins = [.. Enumerable.Range(0, LabelDistribution.Bins).Select(i => (float)i)];

    public void Dispose()
    {
        _optimizer.Dispose();
        Network.Dispose();
    }
}
