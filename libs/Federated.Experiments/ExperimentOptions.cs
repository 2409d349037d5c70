using System.Text.Json.Serialization;
using FogLens.AgeModel.Data;
using FogLens.Compression;

namespace FogLens.Federated.Experiments;

/// <summary>Settings of one simulated federated run (also written to the run's <c>run.json</c>).</summary>
public sealed record ExperimentOptions
{
    /// <summary>Run name; also the run folder's name.</summary>
    public string Name { get; init; } = "run";

    /// <summary>
    /// "uniform": the base model (given) is trained further on the training split partitioned over the fogs;
    /// "site-shift": the harness trains a base on a population with few children and elderly and each fog
    /// holds one site's faces, mostly children and elderly (<see cref="SiteShiftScenario"/>). Runs written
    /// before scenarios existed read as "uniform".
    /// </summary>
    public string Scenario { get; init; } = SiteShiftScenario.Uniform;

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

    /// <summary>Local learning rate of round r: <see cref="LearningRate"/> × decay^(r − 1) (1: constant, as runs before it).</summary>
    public double LearningRateDecay { get; init; } = 1;

    /// <summary>"sync" (late updates dropped) or "async" (applied later with a staleness weight).</summary>
    public string Mode { get; init; } = "sync";

    /// <summary>Probability that fog 1 misses a round's deadline.</summary>
    public double StragglerRate { get; init; }

    /// <summary>How many fogs (the first ones) may miss a round's deadline, each with <see cref="StragglerRate"/>.</summary>
    public int Stragglers { get; init; } = 1;

    /// <summary>Asynchronous mode: bound each round's step energy by the synchronous estimate (<see cref="AggregationOptions.EnergyBounded"/>).</summary>
    public bool EnergyBounded { get; init; }

    public int Seed { get; init; } = 1;

    public int Threads { get; init; } = 2;

    /// <summary>Use only this many training faces (a fixed subset), for quick runs and CI.</summary>
    public int? TrainLimit { get; init; }

    /// <summary>Evaluate on only this many validation faces (a fixed subset).</summary>
    public int? ValidationLimit { get; init; }

    public double ClipNorm { get; init; } = new AggregationOptions().ClipNorm;

    /// <summary>Site-shift: fraction of each site's faces kept aside as its local test set.</summary>
    public double SiteTestFraction { get; init; } = 0.2;

    /// <summary>Site-shift: epochs of the harness's base-model training (cached beside the runs).</summary>
    public int BaseEpochs { get; init; } = 12;

    /// <summary>Site-shift: train the base on at most this many faces of its population (tests).</summary>
    public int? BaseLimit { get; init; }

    /// <summary>"all", "last-blocks" or "head" (<see cref="TrainableLayers"/>).</summary>
    public string Trainable { get; init; } = "all";

    public int TrainableBlocks { get; init; } = new LocalTrainingOptions().TrainableBlocks;

    /// <summary>Fogs send no change of the BatchNorm running statistics (<see cref="LocalTrainingOptions.FreezeStatistics"/>).</summary>
    public bool FreezeStatistics { get; init; }

    /// <summary>"sgd" (FedAvg, FedAvgM with momentum) or "adam" (FedAdam).</summary>
    public string ServerOptimizer { get; init; } = "sgd";

    public double ServerLearningRate { get; init; } = 1;

    public double ServerMomentum { get; init; }

    /// <summary>Sparse codecs send tensors of at most this many elements densely (0: none).</summary>
    public int DenseMaxElements { get; init; }

    /// <summary>DGC momentum correction on the fogs (0: off), with momentum-factor masking.</summary>
    public double ClientMomentum { get; init; }

    /// <summary>DGC local clipping of each fog's ΔW to this L2 norm (0: off).</summary>
    public double ClientClipNorm { get; init; }

    /// <summary>How many fogs (the last ones) attack with <see cref="Attack"/>; 0: all honest.</summary>
    public int Byzantine { get; init; }

    /// <summary>The attack of the byzantine fogs: scale, signflip, noise or claim-samples (see <see cref="ByzantineAttack"/>).</summary>
    public string Attack { get; init; } = ByzantineAttack.None;

    /// <summary>The server's aggregation rule: fedavg, trimmed-mean or median.</summary>
    public string Aggregator { get; init; } = "fedavg";

    /// <summary>trimmed-mean: fraction dropped at each end per coordinate.</summary>
    public double TrimFraction { get; init; } = new AggregationOptions().TrimFraction;

    /// <summary>The most samples one update may weigh in FedAvg (the defence against claimed sample counts).</summary>
    public int MaxSamplesPerUpdate { get; init; } = new AggregationOptions().MaxSamplesPerUpdate;

    /// <summary>FedAvg: no update weighs more than this many times the round's median claim (0: off, as in runs before it existed; the portal's default is 3).</summary>
    public double RelativeSampleCap { get; init; }

    /// <summary>Differential privacy: DP-FedAvg noise multiplier z (0: off); <see cref="ClipNorm"/> is the sensitivity.</summary>
    public double NoiseMultiplier { get; init; }

    /// <summary>DGC sparsity warm-up over this many rounds (0: off), from <see cref="WarmupStartSparsity"/>.</summary>
    public int WarmupRounds { get; init; }

    public double WarmupStartSparsity { get; init; } = 0.25;

    /// <summary>
    /// Error feedback (residuals, momentum) also on BatchNorm running statistics, as before issue 17
    /// (<see cref="CodecOptions.StateTensorSuffixes"/>). Runs logged before the option existed read as true
    /// (<see cref="ExperimentRun.Load"/>).
    /// </summary>
    public bool StatisticsErrorFeedback { get; init; }

    /// <summary>
    /// How each new global model reaches the fogs: "full" (the whole model as float32 every round, as runs before
    /// this option did) or a codec name ("topk", "stc", ...) for compressed deltas against the model the fogs hold
    /// (<see cref="ModelBroadcast"/>).
    /// </summary>
    public string Broadcast { get; init; } = Full;

    /// <summary>Fraction kept by a sparse <see cref="Broadcast"/> codec (tensors of at most 1,024 elements go densely).</summary>
    public double BroadcastSparsity { get; init; } = 0.01;

    /// <summary>Delta broadcast: raise the sparsity tenfold until the held model is within this relative distance of the global one (0: fixed sparsity, as runs before it).</summary>
    public double BroadcastMaxGap { get; init; }

    public const string Full = "full";

    [JsonIgnore]
    public bool BroadcastsDeltas => Broadcast != Full;

    [JsonIgnore]
    public CodecOptions BroadcastCodecOptions => new() { Sparsity = BroadcastSparsity, DenseMaxElements = 1024 };

    [JsonIgnore]
    public bool IsSiteShift => Scenario == SiteShiftScenario.SiteShift;

    /// <summary>Runs that report a sites' MAE (site-shift and shipped).</summary>
    [JsonIgnore]
    public bool HasSites => Scenario is SiteShiftScenario.SiteShift or SiteShiftScenario.Shipped;

    [JsonIgnore]
    public LocalTrainingOptions LocalTraining => new()
    {
        Epochs = LocalEpochs,
        BatchSize = BatchSize,
        LearningRate = LearningRate,
        Trainable = LocalTrainingOptions.ParseTrainable(Trainable),
        TrainableBlocks = TrainableBlocks,
        FreezeStatistics = FreezeStatistics,
    };

    [JsonIgnore]
    public ServerOptimizerOptions Server => new()
    {
        Kind = ServerOptimizerOptions.ParseKind(ServerOptimizer),
        LearningRate = ServerLearningRate,
        Momentum = ServerMomentum,
    };

    [JsonIgnore]
    public CodecOptions CodecOptions => new()
    {
        Sparsity = Sparsity,
        Selection = GlobalSelection ? SelectionScope.Global : SelectionScope.PerTensor,
        DenseMaxElements = DenseMaxElements,
        Momentum = ClientMomentum,
        ClipNorm = ClientClipNorm,
        WarmupRounds = WarmupRounds,
        WarmupStartSparsity = WarmupStartSparsity,
        StateTensorSuffixes = StatisticsErrorFeedback ? [] : CodecOptions.DefaultStateTensorSuffixes,
    };

    public double StalenessExponent { get; init; } = new AggregationOptions().StalenessExponent;

    [JsonIgnore]
    public bool IsAsync => Mode == "async";

    [JsonIgnore]
    public AggregationOptions Aggregation => new()
    {
        ClipNorm = ClipNorm,
        StalenessExponent = StalenessExponent,
        Rule = AggregationOptions.ParseRule(Aggregator),
        TrimFraction = TrimFraction,
        MaxSamplesPerUpdate = MaxSamplesPerUpdate,
        NoiseMultiplier = NoiseMultiplier,
        RelativeSampleCap = RelativeSampleCap,
        EnergyBounded = EnergyBounded,
    };

    public void Validate()
    {
        if (Fogs is < 1 or > 64 || Rounds is < 1 or > 1000 || LocalEpochs is < 1 or > 100 || BatchSize is < 1 or > 4096)
        {
            throw new ArgumentException("fogs must be 1-64, rounds 1-1000, local epochs 1-100 and batch size 1-4096");
        }

        _ = DatasetPartitioner.ParseScheme(Partition);
        _ = UpdateCodecs.Create(UpdateCodecs.Parse(Codec), CodecOptions);
        if (BroadcastsDeltas)
        {
            _ = UpdateCodecs.Create(UpdateCodecs.Parse(Broadcast), BroadcastCodecOptions);
        }
        LocalTraining.Validate();
        Server.Validate();
        Aggregation.Validate();
        if (Byzantine < 0 || Byzantine >= Fogs || !ByzantineAttack.Names.Contains(Attack) || (Byzantine > 0) == (Attack == ByzantineAttack.None))
        {
            throw new ArgumentException($"--byzantine must be below --fogs and come with an --attack ({string.Join(", ", ByzantineAttack.Names.Skip(1))})");
        }
        if (Scenario is not (SiteShiftScenario.Uniform or SiteShiftScenario.SiteShift or SiteShiftScenario.Shipped))
        {
            throw new ArgumentException($"scenario must be {SiteShiftScenario.SiteShift}, {SiteShiftScenario.Shipped} or {SiteShiftScenario.Uniform}, not '{Scenario}'");
        }

        if (!(SiteTestFraction > 0 && SiteTestFraction < 1) || BaseEpochs is < 1 or > 200 || BaseLimit is < 1)
        {
            throw new ArgumentException("site test fraction must be in (0, 1), base epochs 1-200, base limit positive");
        }
        if (Mode is not ("sync" or "async"))
        {
            throw new ArgumentException($"mode must be sync or async, not '{Mode}'");
        }

        if (Stragglers < 0 || Stragglers > Fogs || (EnergyBounded && !IsAsync))
        {
            throw new ArgumentException("--stragglers must be between 0 and --fogs, and --energy-bound needs --mode async");
        }

        if (!(StragglerRate >= 0 && StragglerRate <= 1) || !(LearningRate > 0 && LearningRate < 1) || !(LearningRateDecay > 0 && LearningRateDecay <= 1))
        {
            throw new ArgumentException("straggler rate must be in [0, 1], learning rate in (0, 1) and its decay in (0, 1]");
        }

        if (string.IsNullOrWhiteSpace(Name) || Name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
        {
            throw new ArgumentException($"run name '{Name}' is not a valid folder name");
        }

        Aggregation.Validate();
    }
}
