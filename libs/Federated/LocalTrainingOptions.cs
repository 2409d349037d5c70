using System.Globalization;

namespace FogLens.Federated;

/// <summary>What a fog does in one round of local training (the same in the fog service and in the experiments).</summary>
public sealed record LocalTrainingOptions
{
    /// <summary>Local epochs per round (SBC's communication delay: more local steps, fewer uploads).</summary>
    public int Epochs { get; init; } = 1;

    public int BatchSize { get; init; } = 64;

    /// <summary>Local learning rate (AdamW, fresh each round).</summary>
    public double LearningRate { get; init; } = 1e-4;

    public TrainableLayers Trainable { get; init; } = TrainableLayers.All;

    /// <summary>Conv blocks (from the end) trained with <see cref="TrainableLayers.LastBlocks"/>.</summary>
    public int TrainableBlocks { get; init; } = 2;

    /// <summary>
    /// Send no change of the BatchNorm running statistics (zero update): the global model keeps its statistics.
    /// Running statistics describe the activations of the fog's locally trained weights; when the weights reach
    /// the server only in part (sparse codecs), statistics sent in full or in part no longer match them.
    /// </summary>
    public bool FreezeStatistics { get; init; }

    public void Validate()
    {
        if (Epochs is < 1 or > 100 || BatchSize is < 1 or > 4096 || !(LearningRate > 0 && LearningRate < 1) || TrainableBlocks < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Epochs), "epochs must be 1-100, batch size 1-4096, learning rate in (0, 1), trainable blocks at least 1");
        }
    }

    public static TrainableLayers ParseTrainable(string name) => name?.ToUpperInvariant() switch
    {
        "ALL" => TrainableLayers.All,
        "LAST-BLOCKS" or "LASTBLOCKS" => TrainableLayers.LastBlocks,
        "HEAD" => TrainableLayers.Head,
        _ => throw new ArgumentException($"trainable must be all, last-blocks or head, not '{name}'", nameof(name)),
    };

    public static string NameOf(TrainableLayers trainable) => trainable switch
    {
        TrainableLayers.LastBlocks => "last-blocks",
        _ => trainable.ToString().ToLower(CultureInfo.InvariantCulture),
    };

    /// <summary>Which tensors of a network shaped by <paramref name="config"/> these options train (by state-dict name).</summary>
    public Func<string, bool> TrainsTensor(FogLens.AgeModel.Training.AgeNetConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var blocks = config.ConvsPerStage.Sum();
        return name => IsTrainable(name, blocks);
    }

    /// <summary>
    /// Whether the age-network tensor <paramref name="tensorName"/> (state-dict name: <c>_convs.i.*</c>,
    /// <c>_norms.i.*</c>, <c>_head.*</c>) is trained, for a network of <paramref name="blocks"/> conv blocks.
    /// </summary>
    public bool IsTrainable(string tensorName, int blocks)
    {
        ArgumentNullException.ThrowIfNull(tensorName);
        if (FreezeStatistics && ServerOptimizer.IsStatistic(tensorName))
        {
            return false;
        }

        if (Trainable == TrainableLayers.All || tensorName.StartsWith("_head.", StringComparison.Ordinal))
        {
            return true;
        }

        if (Trainable == TrainableLayers.Head)
        {
            return false;
        }

        var parts = tensorName.Split('.');
        return parts.Length >= 2 && parts[0] is "_convs" or "_norms"
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var block)
            && block >= blocks - TrainableBlocks;
    }
}
