using System.Text.Json.Serialization;
using FogLens.AgeModel.Data;
using FogLens.Compression;

namespace FogLens.Federated.Experiments;

/// <summary>Settings of one simulated federated run (also written to the run's <c>run.json</c>).</summary>
public sealed record ExperimentOptions
{
    /// <summary>Run name; also the run folder's name.</summary>
    public string Name { get; init; } = "run";

    public int Fogs { get; init; } = 4;

    public string Partition { get; init; } = "iid";

    /// <summary>Dirichlet concentration for the dirichlet partition.</summary>
    public double Alpha { get; init; } = 0.5;

    public int Rounds { get; init; } = 6;

    public string Codec { get; init; } = "sbc";

    public double Sparsity { get; init; } = 0.01;

    public bool GlobalSelection { get; init; }

    /// <summary>Local epochs per round (SBC's communication delay).</summary>
    public int LocalEpochs { get; init; } = 1;

    public int BatchSize { get; init; } = 64;

    public double LearningRate { get; init; } = 1e-4;

    /// <summary>"sync" (late updates dropped) or "async" (applied later with a staleness weight).</summary>
    public string Mode { get; init; } = "sync";

    /// <summary>Probability that fog 1 misses a round's deadline.</summary>
    public double StragglerRate { get; init; }

    public int Seed { get; init; } = 1;

    public int Threads { get; init; } = 2;

    /// <summary>Use only this many training faces (a fixed subset), for quick runs and CI.</summary>
    public int? TrainLimit { get; init; }

    /// <summary>Evaluate on only this many validation faces (a fixed subset).</summary>
    public int? ValidationLimit { get; init; }

    public double ClipNorm { get; init; } = new AggregationOptions().ClipNorm;

    public double StalenessExponent { get; init; } = new AggregationOptions().StalenessExponent;

    [JsonIgnore]
    public bool IsAsync => Mode == "async";

    [JsonIgnore]
    public AggregationOptions Aggregation => new() { ClipNorm = ClipNorm, StalenessExponent = StalenessExponent };

    public void Validate()
    {
        if (Fogs is < 1 or > 64 || Rounds is < 1 or > 1000 || LocalEpochs is < 1 or > 100 || BatchSize is < 1 or > 4096)
        {
            throw new ArgumentException("fogs must be 1-64, rounds 1-1000, local epochs 1-100 and batch size 1-4096");
        }

        _ = DatasetPartitioner.ParseScheme(Partition);
        _ = UpdateCodecs.Create(UpdateCodecs.Parse(Codec), new CodecOptions { Sparsity = Sparsity });
        if (Mode is not ("sync" or "async"))
        {
            throw new ArgumentException($"mode must be sync or async, not '{Mode}'");
        }

        if (!(StragglerRate >= 0 && StragglerRate <= 1) || !(LearningRate > 0 && LearningRate < 1))
        {
            throw new ArgumentException("straggler rate must be in [0, 1] and learning rate in (0, 1)");
        }

        if (string.IsNullOrWhiteSpace(Name) || Name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
        {
            throw new ArgumentException($"run name '{Name}' is not a valid folder name");
        }

        Aggregation.Validate();
    }
}
