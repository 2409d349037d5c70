using System.Diagnostics;
using System.Globalization;
using FogLens.AgeModel;
using FogLens.AgeModel.Data;
using FogLens.AgeModel.Training;
using FogLens.Compression;

namespace FogLens.Federated.Experiments;

/// <summary>
/// Simulates federated rounds in one process with the production code paths: each simulated fog trains
/// with <see cref="LocalTrainer"/>, encodes ΔW with the codec and its own persisted <see cref="CodecState"/>,
/// the bytes are decoded with <see cref="UpdateDecoder"/> (checked against the model's tensors), and the
/// coordinator's <see cref="UpdateAccumulator"/> aggregates them. Every round is checkpointed (global
/// weights, each fog's residuals, pending late updates) before its record is appended, so a stopped run
/// resumes at the next round with the same result.
/// </summary>
public sealed class FederatedSimulation
{
    private readonly ExperimentOptions _options;
    private readonly string _baseModel;
    private readonly string _folder;
    private readonly string _stateFolder;
    private readonly Action<string> _log;

    public FederatedSimulation(ExperimentOptions options, string baseModelFolder, string runFolder, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _baseModel = baseModelFolder;
        _folder = runFolder;
        _stateFolder = Path.Combine(runFolder, "state");
        _log = log;
    }

    /// <summary>Runs (or resumes) the experiment on <paramref name="train"/> (partitioned over the fogs), evaluating on <paramref name="validation"/>.</summary>
    public ExperimentRun Run(IReadOnlyList<FaceSample> train, IReadOnlyList<FaceSample> validation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        var config = AgeNetConfig.FromJson(File.ReadAllText(Path.Combine(_baseModel, ModelFiles.Config)));
        var done = PrepareFolder();
        if (done >= _options.Rounds)
        {
            _log($"{_options.Name}: all {_options.Rounds} rounds already done");
            WriteSummary();
            return ExperimentRun.Load(_folder);
        }

        var sitesValidation = _options.Scenario == SiteShiftScenario.Shipped ? SiteShiftScenario.Divide(validation).Sites : null;
        if (_options.ValidationLimit is { } validationLimit)
        {
            validation = DatasetSplit.FixedSubset(validation, validationLimit);
            sitesValidation = sitesValidation is null ? null : DatasetSplit.FixedSubset(sitesValidation, validationLimit);
        }

        var baseModel = _baseModel;
        IReadOnlyList<FaceSample> pool = train;
        if (_options.IsSiteShift)
        {
            var (cloud, sites) = SiteShiftScenario.Divide(train);
            if (_options.BaseLimit is { } baseLimit)
            {
                cloud = DatasetSplit.FixedSubset(cloud, baseLimit);
            }

            var runs = Path.GetDirectoryName(Path.GetFullPath(_folder))!;
            baseModel = SiteShiftScenario.TrainBase(config, cloud, _options.BaseEpochs, _options.Threads, Path.Combine(runs, SiteShiftScenario.BaseFolderName(_options)), _log, cancellationToken);
            pool = sites;
        }
        else if (sitesValidation is not null)
        {
            pool = SiteShiftScenario.Divide(train).Sites;
        }

        if (_options.TrainLimit is { } trainLimit)
        {
            pool = DatasetSplit.FixedSubset(pool, trainLimit);
        }

        var parts = DatasetPartitioner.Partition(pool, _options.Fogs, DatasetPartitioner.ParseScheme(_options.Partition), _options.Alpha, _options.Seed, AgeGroupSet.Default);
        var trainers = new List<LocalTrainer>();
        ServerEvaluator? sitesEvaluator = null;
        try
        {
            var siteTest = new List<FaceSample>();
            for (var i = 0; i < parts.Count; i++)
            {
                var local = parts[i];
                if (_options.IsSiteShift)
                {
                    var (localTrain, localTest) = SiteShiftScenario.SplitSite(local, _options.SiteTestFraction);
                    local = localTrain;
                    siteTest.AddRange(localTest);
                }

                var trainer = new LocalTrainer(config, _options.Threads);
                trainers.Add(trainer);
                trainer.LoadSamples(local, cancellationToken);
                _log($"fog {i + 1}: {trainer.SampleCount} training faces, {trainer.ValidationCount} local validation faces"
                    + (_options.HasSites ? $", {local.Count(SiteShiftScenario.IsShifted) * 100 / Math.Max(1, local.Count)} % children or elderly" : string.Empty));
            }

            using var evaluator = new ServerEvaluator(config, validation, _options.Threads, cancellationToken);
            _log($"evaluation set: {evaluator.Count} faces");
            if (_options.HasSites)
            {
                sitesEvaluator = new ServerEvaluator(config, sitesValidation ?? siteTest, _options.Threads, cancellationToken);
                _log(sitesValidation is null ? $"sites' local test faces: {sitesEvaluator.Count}" : $"sites' population in the validation split: {sitesEvaluator.Count} faces");
            }

            if (done < 0)
            {
                var baseState = ModelState.Load(config, Path.Combine(baseModel, ModelFiles.Weights));
                ExperimentRun.WriteHeader(_folder, _options, baseState.ElementCount);
                baseState.SaveWeights(config, GlobalPath(0));
                if (_options.BroadcastsDeltas)
                {
                    baseState.SaveWeights(config, HeldPath(0)); // the fogs start with the base model, as the fog service ships it
                }
                var evaluation = evaluator.Evaluate(baseState);
                var sites = sitesEvaluator?.Evaluate(baseState);
                ExperimentRun.Append(_folder, new RoundRecord(0, evaluation.Mae, evaluation.GroupMae, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, double.NaN, 0, 0)
                {
                    SitesMae = sites?.Mae ?? double.NaN,
                    SitesGroupMae = sites?.GroupMae,
                });
                _log(string.Create(CultureInfo.InvariantCulture, $"round 0 (base model): MAE {evaluation.Mae:F3}{(sites is null ? string.Empty : $", sites' MAE {sites.Mae:F3}")}"));
                done = 0;
            }

            var previous = ExperimentRun.Load(_folder).Last!;
            for (var round = done + 1; round <= _options.Rounds; round++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                previous = RunRound(round, config, trainers, evaluator, sitesEvaluator, previous, cancellationToken);
                WriteSummary();
            }

            return ExperimentRun.Load(_folder);
        }
        finally
        {
            sitesEvaluator?.Dispose();
            foreach (var trainer in trainers)
            {
                trainer.Dispose();
            }
        }
    }

    /// <summary>Creates the run folder or checks that it holds this run; returns the last completed round, or −1 for a new run.</summary>
    private int PrepareFolder()
    {
        if (!ExperimentRun.Exists(_folder))
        {
            Directory.CreateDirectory(_stateFolder);
            File.Delete(Path.Combine(_folder, ExperimentRun.RoundsFile));
            return -1;
        }

        var existing = ExperimentRun.Load(_folder);
        if (existing.Options with { Rounds = _options.Rounds } != _options)
        {
            throw new InvalidOperationException($"{_folder} holds a run with other options; choose another --name or delete the folder");
        }

        if (existing.Options.Rounds != _options.Rounds)
        {
            ExperimentRun.WriteHeader(_folder, _options, existing.ModelParameters); // extending (or shortening) a run keeps its rounds
        }

        var last = existing.Last?.Round ?? -1;
        if (last >= _options.Rounds)
        {
            return last; // finished: the log is the result, checkpoints are not needed (they are not committed)
        }

        if (last >= 0 && !File.Exists(GlobalPath(last)))
        {
            throw new InvalidDataException($"{_folder}: round {last} is logged but its checkpoint {GlobalPath(last)} is missing; delete the folder to run it again");
        }

        Directory.CreateDirectory(_stateFolder);
        if (last >= 0)
        {
            _log($"{_options.Name}: resuming after round {last}");
        }

        return last;
    }

    /// <summary>Writes the run's summary.json against the dense reference found beside it (if any).</summary>
    private void WriteSummary()
    {
        var run = ExperimentRun.Load(_folder);
        var runs = Directory.GetDirectories(Path.GetDirectoryName(Path.GetFullPath(_folder))!).Where(ExperimentRun.Exists).Select(ExperimentRun.Load);
        RunSummary.Compute(run, RunSummary.FindReference(runs, run)).Save(_folder);
    }

    private RoundRecord RunRound(int round, AgeNetConfig config, List<LocalTrainer> trainers, ServerEvaluator evaluator, ServerEvaluator? sitesEvaluator, RoundRecord previous, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var globalPath = GlobalPath(round - 1);
        var global = ModelState.Load(config, globalPath);

        // Fogs train on the model they hold: the global one (full broadcast) or B, rebuilt from deltas; their updates
        // are added to the global model W either way (Sparse Ternary Compression's downstream scheme).
        var trainFrom = _options.BroadcastsDeltas ? HeldPath(round - 1) : globalPath;
        long download = !_options.BroadcastsDeltas ? trainers.Count * global.ElementCount * sizeof(float)
            : round == 1 ? 0 : trainers.Count * new FileInfo(DeltaPath(round - 1)).Length;
        var specs = global.Specs;
        var aggregation = _options.Aggregation;
        var noise = new GaussianNoise(new Random(Seeds.Combine(_options.Seed, round, 15_485_863)));
        var accumulator = new UpdateAccumulator(global, aggregation, _options.LocalTraining.TrainsTensor(config), noise);
        var scorer = new ContributionScorer(specs);
        var codecId = UpdateCodecs.Parse(_options.Codec);
        var codecOptions = _options.CodecOptions;
        var localTraining = _options.LocalTraining with { LearningRate = _options.LearningRate * Math.Pow(_options.LearningRateDecay, round - 1) };
        var limits = new DecodeLimits { MaxElements = global.ElementCount };
        var straggler = new Random(Seeds.Combine(_options.Seed, round, 7919));
        long upload = 0;
        int late = 0, clipped = 0, stale = 0;
        var norms = new List<double>();
        var consumed = new List<string>();
        var losses = new List<double>();
        var cap = aggregation.SampleCap(trainers.Select((_, i) => Claimed(i, trainers)));
        for (var i = 0; i < trainers.Count; i++)
        {
            var trainer = trainers[i];
            var statePath = FogStatePath(i, round - 1);
            var codecState = File.Exists(statePath) ? CodecState.Load(statePath) : new CodecState();
            var (update, loss, _, localMae) = trainer.Train(trainFrom, localTraining, Seeds.Combine(_options.Seed, round, i), cancellationToken);
            var byzantine = i >= trainers.Count - _options.Byzantine;
            var claimed = Math.Min(Claimed(i, trainers), cap);
            if (byzantine)
            {
                update = ByzantineAttack.Apply(update, _options.Attack, new Random(Seeds.Combine(_options.Seed, round, 104_729 + i)));
            }

            var codec = UpdateCodecs.Create(codecId, codecOptions.ForRound(codecState.Rounds));
            var payload = codec.Encode(update, codecState);
            codecState.Save(FogStatePath(i, round));
            upload += payload.Length;
            losses.Add(loss);
            DecodedUpdate decoded;
            try
            {
                decoded = UpdateDecoder.Decode(payload, limits, specs);
            }
            catch (CorruptUpdateException)
            {
                // Keep what is needed to reproduce a codec defect: the raw update (lossless) and the encoded bytes.
                File.WriteAllBytes(Path.Combine(_stateFolder, $"failed-r{round}-fog{i + 1}.update"), UpdateCodecs.Create(CodecId.Dense).Encode(update, null));
                File.WriteAllBytes(Path.Combine(_stateFolder, $"failed-r{round}-fog{i + 1}.flup"), payload);
                throw;
            }

            norms.Add(decoded.Norm());
            var isLate = i < _options.Stragglers && straggler.NextDouble() < _options.StragglerRate;
            string outcome;
            if (isLate)
            {
                late++;
                if (_options.IsAsync)
                {
                    File.WriteAllBytes(PendingPath(round, i, trainer.SampleCount), payload);
                    outcome = "late, kept for the next round";
                }
                else
                {
                    outcome = "late, dropped";
                }
            }
            else
            {
                try
                {
                    var verdict = accumulator.Add(decoded, claimed);
                    scorer.Add(FogName(i), decoded, Math.Min(claimed, aggregation.MaxSamplesPerUpdate));
                    clipped += verdict.ClipScale < 1 ? 1 : 0;
                    outcome = verdict.ClipScale < 1 ? $"clipped ×{verdict.ClipScale:F2}" : "aggregated";
                }
                catch (RejectedUpdateException ex)
                {
                    outcome = "rejected: " + ex.Message;
                }

                outcome += byzantine ? $" (byzantine: {_options.Attack})" : string.Empty;
            }

            _log(string.Create(CultureInfo.InvariantCulture, $"round {round}/{_options.Rounds} fog {i + 1}: loss {loss:F4}, local MAE {localMae:F2}, {payload.Length:N0} bytes ({decoded.CompressionRatio:F0}×), ‖Δ‖ {decoded.Norm():F3}, {outcome}"));
        }

        if (_options.IsAsync)
        {
            foreach (var (path, fromRound, samples, fog) in PendingUpdates().Where(p => p.Round < round))
            {
                var weight = aggregation.StalenessWeight(round - fromRound);
                if (weight > 0)
                {
                    var decoded = UpdateDecoder.Decode(File.ReadAllBytes(path), limits, specs);
                    var verdict = accumulator.Add(decoded, samples, weight, late: true);
                    scorer.Add(fog, decoded, Math.Min(samples, aggregation.MaxSamplesPerUpdate) * weight);
                    stale++;
                }

                consumed.Add(path);
            }
        }

        var server = ServerOptimizer.Load(ServerStatePath(round - 1), _options.Server);
        var energy = EnergyEstimate.Load(EnergyPath(round - 1));
        energy.Observe(accumulator.SyncEnergy, aggregation.EnergyMomentum);
        var next = accumulator.Result(server, aggregation.EnergyBounded ? energy.Value : null);
        next.SaveWeights(config, GlobalPath(round));
        var broadcastGap = double.NaN;
        if (_options.BroadcastsDeltas)
        {
            var held = ModelState.Load(config, HeldPath(round - 1));
            var (delta, nextHeld) = ModelBroadcast.Encode(held, next, UpdateCodecs.Parse(_options.Broadcast), _options.BroadcastCodecOptions, _options.BroadcastMaxGap);
            File.WriteAllBytes(DeltaPath(round), delta);
            nextHeld.SaveWeights(config, HeldPath(round));
            broadcastGap = ModelBroadcast.Gap(next, nextHeld);
            File.Delete(HeldPath(round - 2));
            File.Delete(DeltaPath(round - 2));
        }
        server.Save(ServerStatePath(round));
        energy.Save(EnergyPath(round));
        File.Delete(ServerStatePath(round - 2));
        File.Delete(EnergyPath(round - 2));
        for (var i = 0; i < trainers.Count; i++)
        {
            File.Delete(FogStatePath(i, round - 2));
        }

        File.Delete(GlobalPath(round - 2));
        var evaluation = evaluator.Evaluate(next);
        var sites = sitesEvaluator?.Evaluate(next);
        var elapsed = clock.Elapsed.TotalSeconds;
        var dense = trainers.Count * global.ElementCount * sizeof(float);
        var record = new RoundRecord(
            round,
            evaluation.Mae,
            evaluation.GroupMae,
            trainers.Count,
            accumulator.Count,
            late,
            stale,
            clipped,
            norms.Count == 0 ? 0 : norms.Average(),
            upload,
            previous.CumulativeUploadBytes + upload,
            dense,
            previous.CumulativeDenseUploadBytes + dense,
            download,
            upload * 8.0 / (trainers.Count * (double)global.ElementCount),
            upload == 0 ? 0 : dense / (double)upload,
            losses.Average(),
            elapsed,
            previous.CumulativeSeconds + elapsed)
        {
            SitesMae = sites?.Mae ?? double.NaN,
            SitesGroupMae = sites?.GroupMae,
            CumulativeDownloadBytes = previous.CumulativeDownloadBytes + download,
            BroadcastGap = broadcastGap,
            Contributions = scorer.Scores(),
        };
        ExperimentRun.Append(_folder, record);
        foreach (var path in consumed)
        {
            File.Delete(path); // only now: a run stopped before the record replays this round with them
        }

        _log(string.Create(CultureInfo.InvariantCulture, $"round {round}/{_options.Rounds}: MAE {evaluation.Mae:F3}{(sites is null ? string.Empty : $", sites' MAE {sites.Mae:F3}")}, {record.Applied} applied, {late} late, {stale} stale, upload {upload:N0} bytes (×{record.CompressionRatio:F0} vs dense), download {download:N0} bytes{(double.IsNaN(broadcastGap) ? string.Empty : $" (held model off by {broadcastGap:P2})")}, {elapsed:F0} s"));
        return record;
    }

    private int Claimed(int fog, List<LocalTrainer> trainers) =>
        fog >= trainers.Count - _options.Byzantine ? ByzantineAttack.ClaimedSamples(_options.Attack, trainers[fog].SampleCount) : trainers[fog].SampleCount;

    private static string FogName(int fog) => string.Create(CultureInfo.InvariantCulture, $"fog{fog + 1}");

    private string GlobalPath(int round) => Path.Combine(_stateFolder, $"global-r{round}.weights");

    /// <summary>The model the fogs hold after round <paramref name="round"/> (delta broadcast).</summary>
    private string HeldPath(int round) => Path.Combine(_stateFolder, $"held-r{round}.weights");

    /// <summary>The delta broadcast after round <paramref name="round"/> (what the fogs download before the next).</summary>
    private string DeltaPath(int round) => Path.Combine(_stateFolder, $"delta-r{round}.flup");

    private string EnergyPath(int round) => Path.Combine(_stateFolder, $"energy-r{round}.txt");

    private string ServerStatePath(int round) => Path.Combine(_stateFolder, $"server-r{round}.flso");

    private string FogStatePath(int fog, int round) => Path.Combine(_stateFolder, $"fog{fog + 1}-r{round}.flrs");

    private string PendingPath(int round, int fog, int samples) => Path.Combine(_stateFolder, $"pending-r{round}-fog{fog + 1}-n{samples}.flup");

    private IEnumerable<(string Path, int Round, int Samples, string Fog)> PendingUpdates()
    {
        foreach (var path in Directory.EnumerateFiles(_stateFolder, "pending-*.flup").Order(StringComparer.Ordinal))
        {
            var parts = Path.GetFileNameWithoutExtension(path).Split('-');
            yield return (path, int.Parse(parts[1].AsSpan(1), CultureInfo.InvariantCulture), int.Parse(parts[3].AsSpan(1), CultureInfo.InvariantCulture), parts[2]);
        }
    }
}
