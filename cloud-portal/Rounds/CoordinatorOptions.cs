using System.ComponentModel.DataAnnotations;
using FogLens.Federated;

namespace FogLens.CloudPortal.Rounds;

/// <summary>Federated rounds (section "Federated").</summary>
public sealed class CoordinatorOptions : IValidatableObject
{
    public const string Section = "Federated";

    /// <summary>Model folder registered as the first version when the registry is empty.</summary>
    [Required]
    public string BaseModel { get; set; } = "models/age";

    /// <summary>Labelled UTKFace folder whose validation split evaluates every new version; empty: versions are not evaluated.</summary>
    public string? EvaluationData { get; set; }

    /// <summary>
    /// Which faces of the evaluation split measure new versions: "all", or "sites": the faces drawn like the site pool of
    /// the site-shift scenario (mostly children and elderly; <see cref="FogLens.Federated.Experiments.SiteShiftScenario"/>),
    /// for fogs whose sites see that population (the demo's).
    /// </summary>
    public string EvaluationPopulation { get; set; } = "all";

    /// <summary>Evaluate on a fixed subset of this many faces (faster rounds).</summary>
    public int? EvaluationLimit { get; set; }

    public string Codec { get; set; } = "sbc";

    /// <summary>
    /// Fraction sparse codecs keep. 0.001: on the site-shift experiments SBC p = 0.001 of the head kept 70 % (iid) and
    /// 88 % (Dirichlet) of dense FedAvg's gain and improved every round, while p = 0.01 at the same learning rate
    /// released its residuals in bursts (22 % iid, 3 % Dirichlet; docs/federated-results.md).
    /// </summary>
    [Range(1e-6, 1)]
    public double Sparsity { get; set; } = 0.001;

    [Range(1, 100)]
    public int LocalEpochs { get; set; } = 1;

    [Range(1, 4096)]
    public int BatchSize { get; set; } = 64;

    /// <summary>Local learning rate (0.01 with the head only: docs/federated-results-site-shift.md).</summary>
    [Range(1e-7, 1)]
    public double LearningRate { get; set; } = 0.01;

    /// <summary>
    /// What fogs fine-tune: "head" (the classifier, ~2 % of the parameters; the site-shift experiments' best
    /// trade of gain against bits), "last-blocks" or "all".
    /// </summary>
    public string Trainable { get; set; } = "head";

    /// <summary>Sparse codecs send tensors of at most this many elements densely (biases, BatchNorm); 0: none.</summary>
    [Range(0, 1_000_000)]
    public int DenseMaxElements { get; set; } = 1024;

    /// <summary>Time fogs have to send their update.</summary>
    public TimeSpan Deadline { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Fewest accepted updates for a round to produce a model.</summary>
    [Range(1, 10_000)]
    public int MinQuorum { get; set; } = 1;

    /// <summary>Share of the online fogs selected per round (at least one).</summary>
    [Range(0.01, 1)]
    public double ParticipantFraction { get; set; } = 1;

    /// <summary>"sync" (late updates dropped) or "async" (late updates go into the next round, staleness-weighted).</summary>
    public string Mode { get; set; } = "sync";

    /// <summary>Start a round automatically this often (when none is open and fogs are online); zero: only on request.</summary>
    public TimeSpan AutoRoundInterval { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// A new version is promoted (and announced) only when it was evaluated and its MAE is at most this many years
    /// worse than the best model promoted so far, on the same evaluation set (see <see cref="PromotionPolicy"/>).
    /// </summary>
    [Range(0, 100)]
    public double PromoteTolerance { get; set; }

    public double ClipNorm { get; set; } = new AggregationOptions().ClipNorm;

    public double RejectNorm { get; set; } = new AggregationOptions().RejectNorm;

    public double StalenessExponent { get; set; } = new AggregationOptions().StalenessExponent;

    public int MaxStaleness { get; set; } = new AggregationOptions().MaxStaleness;

    /// <summary>Server optimiser: sgd (FedAvg; FedAvgM with <see cref="ServerMomentum"/>) or adam (FedAdam).</summary>
    public string ServerOptimizer { get; set; } = "sgd";

    /// <summary>Server learning rate η: the model moves by η times the combined update.</summary>
    [Range(1e-4, 10)]
    public double ServerLearningRate { get; set; } = 1;

    /// <summary>Server momentum (FedAvgM; β₁ for adam). Its state persists while each round starts from the previous
    /// round's result; a round from any other model (not promoted, rolled back) starts it afresh.</summary>
    [Range(0, 0.999)]
    public double ServerMomentum { get; set; }

    /// <summary>How updates are combined: fedavg (sample-weighted), trimmed-mean or median (coordinate-wise, unweighted).</summary>
    public string Aggregator { get; set; } = "fedavg";

    /// <summary>trimmed-mean: the fraction of updates dropped at each end per coordinate.</summary>
    [Range(0, 0.49)]
    public double TrimFraction { get; set; } = new AggregationOptions().TrimFraction;

    /// <summary>Client-level differential privacy: noise multiplier z of DP-FedAvg (0: off). Each update is clipped to
    /// <see cref="ClipNorm"/> (set it near the fogs' typical update norm) and weighs 1; the aggregate gets N(0, (z·ClipNorm)²).</summary>
    [Range(0, 1000)]
    public double NoiseMultiplier { get; set; }

    /// <summary>δ of the (ε, δ) the Training page reports; well below 1 / number of fogs.</summary>
    [Range(1e-12, 0.01)]
    public double PrivacyDelta { get; set; } = 1e-5;

    /// <summary>With differential privacy on: a round that would take the cumulative ε past this is refused.</summary>
    [Range(0.01, 1000)]
    public double PrivacyBudget { get; set; } = 8;

    /// <summary>The most samples one update may weigh in FedAvg. Each fog's weight is also capped by the local sample
    /// count its status reported before the round closed.</summary>
    [Range(1, int.MaxValue)]
    public int MaxSamplesPerUpdate { get; set; } = new AggregationOptions().MaxSamplesPerUpdate;

    /// <summary>Asynchronous mode: scale each round's step, late updates included, to at most the running estimate of
    /// the on-time (synchronous) step energy, so late updates cannot inflate it (after GEM). On by default; it acts only in async rounds.</summary>
    public bool EnergyBounded { get; set; } = true;

    /// <summary>FedAvg: no update weighs more than this many times the round's median sample count (0: off).</summary>
    [Range(0, 1000)]
    public double RelativeSampleCap { get; set; } = new AggregationOptions().RelativeSampleCap;

    /// <summary>
    /// How a new global model reaches the fogs: "topk" (default) or "stc" sends it as a compressed delta against the
    /// model the fogs hold, keeping the difference on the server (<see cref="ModelBroadcast"/>); "full" sends the
    /// whole model. See docs/federated-results-site-shift.md.
    /// </summary>
    public string Broadcast { get; set; } = "topk";

    /// <summary>Fraction of each tensor a sparse <see cref="Broadcast"/> delta keeps (tensors of at most 1,024 elements go densely).</summary>
    [Range(1e-6, 1)]
    public double BroadcastSparsity { get; set; } = 0.01;

    /// <summary>
    /// A delta's sparsity is raised tenfold (up to dense) until the model fogs hold is within this relative distance
    /// (‖W − B‖ / ‖W‖) of the new version: cheap when only the head changes, dense enough when every layer does.
    /// </summary>
    [Range(0, 1)]
    public double BroadcastMaxGap { get; set; } = 1e-3;

    /// <summary>The most deltas a round task lists; a fog further behind downloads the whole model.</summary>
    [Range(1, Contracts.Messages.ModelBroadcastChain.MaxLinks)]
    public int MaxDeltaChain { get; set; } = 8;

    public bool BroadcastsDeltas => Broadcast != "full";

    public FogLens.Compression.CodecOptions BroadcastCodecOptions => new() { Sparsity = BroadcastSparsity, DenseMaxElements = 1024 };

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (EvaluationPopulation is not ("all" or "sites"))
        {
            yield return new ValidationResult("Federated:EvaluationPopulation must be all or sites", [nameof(EvaluationPopulation)]);
        }

        if (Broadcast is not ("full" or "topk" or "stc" or "dense"))
        {
            yield return new ValidationResult("Federated:Broadcast must be full, topk, stc or dense", [nameof(Broadcast)]);
        }

        if (!FogLens.Compression.UpdateCodecs.Names.Contains(Codec))
        {
            yield return new ValidationResult("Federated:Codec must be sbc, stc, dense, topk, signsgd or q8", [nameof(Codec)]);
        }

        if (Trainable is not ("all" or "last-blocks" or "head"))
        {
            yield return new ValidationResult("Federated:Trainable must be all, last-blocks or head", [nameof(Trainable)]);
        }

        if (ServerOptimizer is not ("sgd" or "adam"))
        {
            yield return new ValidationResult("Federated:ServerOptimizer must be sgd or adam", [nameof(ServerOptimizer)]);
        }

        if (Aggregator is not ("fedavg" or "trimmed-mean" or "median"))
        {
            yield return new ValidationResult("Federated:Aggregator must be fedavg, trimmed-mean or median", [nameof(Aggregator)]);
        }

        if (Mode is not ("sync" or "async"))
        {
            yield return new ValidationResult("Federated:Mode must be sync or async", [nameof(Mode)]);
        }

        if (Deadline <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Federated:Deadline must be positive", [nameof(Deadline)]);
        }

        if (!Directory.Exists(BaseModel))
        {
            yield return new ValidationResult("Federated:BaseModel must be a model folder (age-net.json, age-net.weights, age-net.onnx)", [nameof(BaseModel)]);
        }
    }

    public ServerOptimizerOptions Server => new()
    {
        Kind = ServerOptimizerOptions.ParseKind(ServerOptimizer),
        LearningRate = ServerLearningRate,
        Momentum = ServerMomentum,
    };

    public bool IsAsync => string.Equals(Mode, "async", StringComparison.OrdinalIgnoreCase);

    public AggregationOptions Aggregation => new()
    {
        ClipNorm = ClipNorm,
        RejectNorm = RejectNorm,
        StalenessExponent = StalenessExponent,
        MaxStaleness = MaxStaleness,
        Rule = AggregationOptions.ParseRule(Aggregator),
        TrimFraction = TrimFraction,
        MaxSamplesPerUpdate = MaxSamplesPerUpdate,
        NoiseMultiplier = NoiseMultiplier,
        RelativeSampleCap = RelativeSampleCap,
        EnergyBounded = EnergyBounded,
    };
}
