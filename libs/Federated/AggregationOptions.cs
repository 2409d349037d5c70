namespace FogLens.Federated;

/// <summary>How the coordinator checks and combines fog updates.</summary>
public sealed record AggregationOptions
{
    /// <summary>Updates with a larger L2 norm are scaled down to this norm before they are averaged (clipping).</summary>
    public double ClipNorm { get; init; } = 100;

    /// <summary>Updates with a larger L2 norm are refused outright: no honest local round moves the model that far.</summary>
    public double RejectNorm { get; init; } = 10_000;

    /// <summary>Server learning rate η: the global model moves by η times the averaged update.</summary>
    public double ServerLearningRate { get; init; } = 1;

    /// <summary>Asynchronous mode: an update computed τ rounds ago is applied with weight (1 + τ)^−a.</summary>
    public double StalenessExponent { get; init; } = 0.5;

    /// <summary>Asynchronous mode: updates older than this many rounds are dropped.</summary>
    public int MaxStaleness { get; init; } = 4;

    public void Validate()
    {
        if (!(ClipNorm > 0) || !(RejectNorm >= ClipNorm) || !double.IsFinite(RejectNorm))
        {
            throw new ArgumentOutOfRangeException(nameof(ClipNorm), "ClipNorm must be positive and RejectNorm finite and at least ClipNorm");
        }

        if (!(ServerLearningRate > 0 && ServerLearningRate <= 10))
        {
            throw new ArgumentOutOfRangeException(nameof(ServerLearningRate), ServerLearningRate, "must be in (0, 10]");
        }

        if (!(StalenessExponent >= 0 && StalenessExponent <= 10) || MaxStaleness < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(StalenessExponent), "StalenessExponent must be in [0, 10] and MaxStaleness not negative");
        }
    }

    /// <summary>Weight of an update that is <paramref name="staleness"/> rounds old, or 0 when it is too old.</summary>
    public double StalenessWeight(long staleness) =>
        staleness < 0 || staleness > MaxStaleness ? 0 : Math.Pow(1 + staleness, -StalenessExponent);
}
