namespace FogLens.Federated;

/// <summary>How updates are combined coordinate by coordinate.</summary>
public enum AggregationRule
{
    /// <summary>Sample-weighted mean (FedAvg), each fog's weight capped by <see cref="AggregationOptions.MaxSamplesPerUpdate"/>.</summary>
    FedAvg,

    /// <summary>Coordinate-wise trimmed mean (Yin et al. 2018): per coordinate the ⌊β·n⌋ largest and smallest values are
    /// dropped and the rest averaged, unweighted. Survives up to β·n arbitrary updates.</summary>
    TrimmedMean,

    /// <summary>Coordinate-wise median, unweighted. Survives a minority of arbitrary updates; noisier than the mean.</summary>
    Median,
}

/// <summary>How the coordinator checks and combines fog updates.</summary>
public sealed record AggregationOptions
{
    /// <summary>How updates are combined; FedAvg by default.</summary>
    public AggregationRule Rule { get; init; } = AggregationRule.FedAvg;

    /// <summary>Trimmed mean: the fraction β of updates dropped at each end per coordinate, in [0, 0.5).</summary>
    public double TrimFraction { get; init; } = 0.2;

    /// <summary>
    /// The most samples one update may weigh in FedAvg, whatever its fog claims: a fog claiming <c>int.MaxValue</c>
    /// samples would otherwise be the whole round.
    /// </summary>
    public int MaxSamplesPerUpdate { get; init; } = 10_000;

    /// <summary>
    /// FedAvg: no update weighs more than this many times the median sample count claimed in its round (0: off). The
    /// absolute cap cannot know how big sites are; with about 110 faces per fog a liar capped at 10,000 is still 91 % of
    /// the round, capped at 3 × the median it is at most a quarter of a ten-fog round. A site with more than 3 × the
    /// median data is under-weighted by it: raise it for federations of very unequal sites.
    /// </summary>
    public double RelativeSampleCap { get; init; } = 3;

    /// <summary>The most samples an update weighs in a round whose updates claim <paramref name="claims"/>.</summary>
    public int SampleCap(IEnumerable<int> claims)
    {
        ArgumentNullException.ThrowIfNull(claims);
        var positive = claims.Where(c => c > 0).Select(c => (double)c).ToList();
        return RelativeSampleCap <= 0 || positive.Count == 0
            ? MaxSamplesPerUpdate
            : (int)Math.Clamp(Math.Floor(RelativeSampleCap * VectorMath.Median(positive)), 1, MaxSamplesPerUpdate);
    }
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

    /// <summary>
    /// Asynchronous mode, energy-bounded (after GEM, Gradient Energy Matching): a round's applied step, late updates
    /// included, is scaled down so its squared norm does not exceed a running estimate of the synchronous process's
    /// step energy (the squared norm of the on-time updates' mean, averaged over rounds with <see cref="EnergyMomentum"/>).
    /// Late updates can then change the step's direction but not inflate it.
    /// </summary>
    public bool EnergyBounded { get; init; }

    /// <summary>Weight of the past in the running estimate of the synchronous step energy, in [0, 1).</summary>
    public double EnergyMomentum { get; init; } = 0.9;

    /// <summary>
    /// Client-level differential privacy (DP-FedAvg, McMahan et al. 2018) when above 0: every update is clipped to
    /// <see cref="ClipNorm"/> (the sensitivity S), weighs 1 whatever its sample count, and the sum gets Gaussian noise
    /// of standard deviation z·S on every coordinate a fog may change before it is divided by the number of updates.
    /// <see cref="PrivacyAccountant"/> turns z and the number of rounds into (ε, δ). Requires <see cref="AggregationRule.FedAvg"/>.
    /// </summary>
    public double NoiseMultiplier { get; init; }

    /// <summary>Whether updates are aggregated with client-level differential privacy (<see cref="NoiseMultiplier"/> above 0).</summary>
    public bool IsPrivate => NoiseMultiplier > 0;

    public void Validate()
    {
        if (!(NoiseMultiplier >= 0 && NoiseMultiplier <= 1000) || (NoiseMultiplier > 0 && Rule != AggregationRule.FedAvg))
        {
            throw new ArgumentOutOfRangeException(nameof(NoiseMultiplier), NoiseMultiplier, "must be in [0, 1000], and differential privacy needs the fedavg aggregator (the robust rules' sensitivity is not bounded by the clip norm alone)");
        }

        if (!(ClipNorm > 0) || !(RejectNorm >= ClipNorm) || !double.IsFinite(RejectNorm))
        {
            throw new ArgumentOutOfRangeException(nameof(ClipNorm), "ClipNorm must be positive and RejectNorm finite and at least ClipNorm");
        }

        if (!(ServerLearningRate > 0 && ServerLearningRate <= 10))
        {
            throw new ArgumentOutOfRangeException(nameof(ServerLearningRate), ServerLearningRate, "must be in (0, 10]");
        }

        if (!(TrimFraction >= 0 && TrimFraction < 0.5) || MaxSamplesPerUpdate < 1 || !(RelativeSampleCap == 0 || (RelativeSampleCap >= 1 && RelativeSampleCap <= 1000)))
        {
            throw new ArgumentOutOfRangeException(nameof(TrimFraction), "TrimFraction must be in [0, 0.5), MaxSamplesPerUpdate positive and RelativeSampleCap 0 (off) or in [1, 1000]");
        }

        if (!(EnergyMomentum >= 0 && EnergyMomentum < 1) || (EnergyBounded && Rule != AggregationRule.FedAvg))
        {
            throw new ArgumentOutOfRangeException(nameof(EnergyMomentum), "EnergyMomentum must be in [0, 1), and the energy bound needs the fedavg aggregator");
        }

        if (!(StalenessExponent >= 0 && StalenessExponent <= 10) || MaxStaleness < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(StalenessExponent), "StalenessExponent must be in [0, 10] and MaxStaleness not negative");
        }
    }

    /// <summary>The rule named <c>fedavg</c>, <c>trimmed-mean</c> or <c>median</c> (the configuration and command-line names).</summary>
    public static AggregationRule ParseRule(string name) => name switch
    {
        "fedavg" => AggregationRule.FedAvg,
        "trimmed-mean" => AggregationRule.TrimmedMean,
        "median" => AggregationRule.Median,
        _ => throw new ArgumentException($"aggregator '{name}' is not fedavg, trimmed-mean or median", nameof(name)),
    };

    /// <summary>Weight of an update that is <paramref name="staleness"/> rounds old, or 0 when it is too old.</summary>
    public double StalenessWeight(long staleness) =>
        staleness < 0 || staleness > MaxStaleness ? 0 : Math.Pow(1 + staleness, -StalenessExponent);
}
