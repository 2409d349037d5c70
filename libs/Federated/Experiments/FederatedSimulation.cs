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
            return ExperimentRun.Load(_folder);
        }

        if (_options.TrainLimit is { } trainLimit)
        {
            train = DatasetSplit.FixedSubset(train, trainLimit);
        }

        if (_options.ValidationLimit is { } validationLimit)
        {
            validation = DatasetSplit.FixedSubset(validation, validationLimit);
        }

        var parts = DatasetPartitioner.Partition(train, _options.Fogs, DatasetPartitioner.ParseScheme(_options.Partition), _options.Alpha, _options.Seed, AgeGroupSet.Default);
        var trainers = new List<LocalTrainer>();
        try
        {
            for (var i = 0; i < parts.Count; i++)
            {
                var trainer = new LocalTrainer(config, _options.Threads);
                trainers.Add(trainer);
                trainer.LoadSamples(parts[i], cancellationToken);
                _log($"fog {i + 1}: {trainer.SampleCount} training faces, {trainer.ValidationCount} local validation faces");
            }

            using var evaluator = new ServerEvaluator(config, validation, _options.Threads, cancellationToken);
            _log($"evaluation set: {evaluator.Count} faces");
            if (done < 0)
            {
                var baseState = ModelState.Load(config, Path.Combine(_baseModel, ModelFiles.Weights));
                ExperimentRun.WriteHeader(_folder, _options, baseState.ElementCount);
                baseState.SaveWeights(config, GlobalPath(0));
                var evaluation = evaluator.Evaluate(baseState);
                ExperimentRun.Append(_folder, new RoundRecord(0, evaluation.Mae, evaluation.GroupMae, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, double.NaN, 0, 0));
                _log($"round 0 (base model): MAE {evaluation.Mae:F3}");
                done = 0;
            }

            var previous = ExperimentRun.Load(_folder).Last!;
            for (var round = done + 1; round <= _options.Rounds; round++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                previous = RunRound(round, config, trainers, evaluator, previous, cancellationToken);
            }

            return ExperimentRun.Load(_folder);
        }
        finally
        {
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

    private RoundRecord RunRound(int round, AgeNetConfig config, List<LocalTrainer> trainers, ServerEvaluator evaluator, RoundRecord previous, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var globalPath = GlobalPath(round - 1);
        var global = ModelState.Load(config, globalPath);
        var specs = global.Specs;
        var aggregation = _options.Aggregation;
        var accumulator = new UpdateAccumulator(global, aggregation);
        var codec = UpdateCodecs.Create(UpdateCodecs.Parse(_options.Codec), new CodecOptions
        {
            Sparsity = _options.Sparsity,
            Selection = _options.GlobalSelection ? SelectionScope.Global : SelectionScope.PerTensor,
        });
        var limits = new DecodeLimits { MaxElements = global.ElementCount };
        var straggler = new Random(Seeds.Combine(_options.Seed, round, 7919));
        long upload = 0;
        int late = 0, clipped = 0, stale = 0;
        var norms = new List<double>();
        var consumed = new List<string>();
        var losses = new List<double>();
        for (var i = 0; i < trainers.Count; i++)
        {
            var trainer = trainers[i];
            var statePath = FogStatePath(i, round - 1);
            var codecState = File.Exists(statePath) ? CodecState.Load(statePath) : new CodecState();
            var (update, loss, _, localMae) = trainer.Train(globalPath, _options.LocalEpochs, _options.BatchSize, _options.LearningRate, Seeds.Combine(_options.Seed, round, i), cancellationToken);
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
            var isLate = i == 0 && straggler.NextDouble() < _options.StragglerRate;
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
                var verdict = accumulator.Add(decoded, trainer.SampleCount);
                clipped += verdict.ClipScale < 1 ? 1 : 0;
                outcome = verdict.ClipScale < 1 ? $"clipped ×{verdict.ClipScale:F2}" : "aggregated";
            }

            _log(string.Create(CultureInfo.InvariantCulture, $"round {round}/{_options.Rounds} fog {i + 1}: loss {loss:F4}, local MAE {localMae:F2}, {payload.Length:N0} bytes ({decoded.CompressionRatio:F0}×), ‖Δ‖ {decoded.Norm():F3}, {outcome}"));
        }

        if (_options.IsAsync)
        {
            foreach (var (path, fromRound, samples) in PendingUpdates().Where(p => p.Round < round))
            {
                var weight = aggregation.StalenessWeight(round - fromRound);
                if (weight > 0)
                {
                    accumulator.Add(UpdateDecoder.Decode(File.ReadAllBytes(path), limits, specs), samples, weight);
                    stale++;
                }

                consumed.Add(path);
            }
        }

        var next = accumulator.Result();
        next.SaveWeights(config, GlobalPath(round));
        for (var i = 0; i < trainers.Count; i++)
        {
            File.Delete(FogStatePath(i, round - 2));
        }

        File.Delete(GlobalPath(round - 2));
        var evaluation = evaluator.Evaluate(next);
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
            trainers.Count * new FileInfo(globalPath).Length,
            upload * 8.0 / (trainers.Count * (double)global.ElementCount),
            upload == 0 ? 0 : dense / (double)upload,
            losses.Average(),
            elapsed,
            previous.CumulativeSeconds + elapsed);
        ExperimentRun.Append(_folder, record);
        foreach (var path in consumed)
        {
            File.Delete(path); // only now: a run stopped before the record replays this round with them
        }

        _log(string.Create(CultureInfo.InvariantCulture, $"round {round}/{_options.Rounds}: MAE {evaluation.Mae:F3} (round 0: see above), {record.Applied} applied, {late} late, {stale} stale, upload {upload:N0} bytes (×{record.CompressionRatio:F0} vs dense), {elapsed:F0} s"));
        return record;
    }

    private string GlobalPath(int round) => Path.Combine(_stateFolder, $"global-r{round}.weights");

    private string FogStatePath(int fog, int round) => Path.Combine(_stateFolder, $"fog{fog + 1}-r{round}.flrs");

    private string PendingPath(int round, int fog, int samples) => Path.Combine(_stateFolder, $"pending-r{round}-fog{fog + 1}-n{samples}.flup");

    private IEnumerable<(string Path, int Round, int Samples)> PendingUpdates()
    {
        foreach (var path in Directory.EnumerateFiles(_stateFolder, "pending-*.flup").Order(StringComparer.Ordinal))
        {
            var parts = Path.GetFileNameWithoutExtension(path).Split('-');
            yield return (path, int.Parse(parts[1].AsSpan(1), CultureInfo.InvariantCulture), int.Parse(parts[3].AsSpan(1), CultureInfo.InvariantCulture));
        }
    }
}
