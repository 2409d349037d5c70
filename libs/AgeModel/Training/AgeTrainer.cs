using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using FogLens.AgeModel.Data;
using FogLens.AgeModel.Imaging;

namespace FogLens.AgeModel.Training;

/// <summary>
/// A full training run: scan and split the dataset, stage images, train with a warm-up + cosine
/// schedule, validate every epoch, keep the best weights, checkpoint every epoch (resumable), and stop
/// at the time budget.
/// </summary>
public sealed class AgeTrainer(TrainingOptions options, ITrainingObserver observer)
{
    private static readonly JsonSerializerOptions StateJson = new() { WriteIndented = true };

    public TrainingOutcome Run(CancellationToken cancellationToken)
    {
        options.Validate();
        var watch = Stopwatch.StartNew();
        Directory.CreateDirectory(options.OutputDirectory);
        var checkpointDir = Path.Combine(options.OutputDirectory, ModelFiles.CheckpointFolder);
        Directory.CreateDirectory(checkpointDir);

        var scan = UtkFaceDataset.Scan(options.DataDirectory);
        observer.Message(scan.Summary);
        var (train, validation) = DatasetSplit.Split(scan.Samples, options.ValidationFraction);
        if (options.Limit is { } limit)
        {
            train = DatasetSplit.FixedSubset(train, limit);
            validation = DatasetSplit.FixedSubset(validation, Math.Max(1, limit / 4));
        }

        observer.Message($"split: {train.Count} train, {validation.Count} validation (by hash of file name, {options.ValidationFraction:P0} held out)");
        var preprocessor = new FacePreprocessor(options.Network.InputSize);
        var total = train.Count + validation.Count;
        using var trainSet = StagedFaceSet.Load(train, preprocessor, options.Threads, new Progress<int>(n => observer.LoadingProgress(n, total)), cancellationToken);
        using var validationSet = StagedFaceSet.Load(validation, preprocessor, options.Threads, new Progress<int>(n => observer.LoadingProgress(train.Count + n, total)), cancellationToken);
        foreach (var issue in trainSet.Unreadable.Concat(validationSet.Unreadable))
        {
            observer.Message($"skipped unreadable image {issue.FileName}: {issue.Problem}");
        }

        if (trainSet.Count == 0 || validationSet.Count == 0)
        {
            throw new InvalidOperationException("no usable training or validation images");
        }

        var configPath = Path.Combine(options.OutputDirectory, ModelFiles.Config);
        File.WriteAllText(configPath, options.Network.ToJson());
        var teachers = new List<Inference.AgeEstimator>();
        using var releaseTeachers = new TeacherList(teachers);
        foreach (var path in options.Teachers)
        {
            var teacher = new Inference.AgeEstimator(path, options.Threads);
            teachers.Add(teacher);
            if (teacher.InputSize != options.Network.InputSize)
            {
                throw new ArgumentException($"teacher {path} takes {teacher.InputSize} px, the network {options.Network.InputSize} px");
            }

            observer.Message($"teacher {teacher.ModelVersion} ({path}), distillation weight {options.DistillationWeight}");
        }

        using var session = new AgeTrainingSession(options.Network, options.LearningRate, options.WeightDecay, options.Seed, options.Threads)
        {
            ExpectationLossWeight = options.ExpectationLossWeight,
            AgeWeights = options.BalancePower > 0 ? AgeBalance.Weights(trainSet.Samples.Select(s => s.Label.Age), options.BalancePower) : null,
            MixupAlpha = options.MixupAlpha,
            Teachers = teachers,
            DistillationWeight = options.DistillationWeight,
        };
        if (options.BalancePower > 0)
        {
            var w = session.AgeWeights!;
            observer.Message(string.Create(CultureInfo.InvariantCulture, $"age weights (power {options.BalancePower}): age 1 {w[1]:F2}, 25 {w[25]:F2}, 50 {w[50]:F2}, 70 {w[70]:F2}, 85 {w[85]:F2}"));
        }
        if (options.QuantizationNoise)
        {
            observer.Message($"training with int8 quantisation noise (scales calibrated on {Math.Min(options.CalibrationFaces, trainSet.Count)} training faces each epoch)");
        }

        observer.Message($"network: {session.Network.ParameterCount:N0} parameters, {options.Network.MultiplyAccumulates() / 1e6:F1} M multiply-accumulates per face");

        var statePath = Path.Combine(checkpointDir, "state.json");
        var state = new TrainingState(0, double.PositiveInfinity, 0, []);
        if (options.Resume && File.Exists(statePath))
        {
            state = JsonSerializer.Deserialize<TrainingState>(File.ReadAllText(statePath)) ?? state;
            session.LoadWeights(Path.Combine(checkpointDir, "last.weights"));
            session.LoadOptimizer(Path.Combine(checkpointDir, "last.optim"));
            observer.Message($"resumed after epoch {state.CompletedEpochs} (best validation MAE {state.BestValidationMae:F3} at epoch {state.BestEpoch})");
        }
        else if (options.InitialWeights is { } initial)
        {
            session.LoadWeights(initial);
            observer.Message($"starting from {initial}");
        }

        var weightsPath = Path.Combine(options.OutputDirectory, ModelFiles.Weights);
        var stepsPerEpoch = Math.Max(1, trainSet.Count / options.BatchSize);
        var totalSteps = stepsPerEpoch * options.Epochs;
        var warmup = Math.Min(stepsPerEpoch, totalSteps / 10);
        var stoppedByBudget = false;
        double lastEpochSeconds = 0;
        for (var epoch = state.CompletedEpochs + 1; epoch <= options.Epochs; epoch++)
        {
            if (options.TimeBudget is { } budget && watch.Elapsed.TotalSeconds + lastEpochSeconds > budget.TotalSeconds)
            {
                stoppedByBudget = true;
                observer.Message($"time budget {budget} reached after {epoch - 1} epochs");
                break;
            }

            var epochWatch = Stopwatch.StartNew();
            if (options.QuantizationNoise)
            {
                session.Network.QuantizationNoise = ActivationScales.Calibrate(session.Network, trainSet, options.CalibrationFaces);
            }

            var firstStep = (epoch - 1) * stepsPerEpoch;
            var rng = new Random(Seeds.Combine(options.Seed, epoch));
            var e = epoch;
            var loss = session.TrainEpoch(
                trainSet,
                options.BatchSize,
                rng,
                step => Schedule(firstStep + step, warmup, totalSteps, options.LearningRate),
                options.AugmentationStrength,
                new InlineProgress(p => observer.StepProgress(e, p.Done, p.Total, p.Loss)),
                cancellationToken);
            var mae = session.MeanAbsoluteError(validationSet);
            var best = mae < state.BestValidationMae;
            if (best)
            {
                session.SaveWeights(weightsPath);
                if (session.Network.QuantizationNoise is { } scales)
                {
                    File.WriteAllText(Path.Combine(options.OutputDirectory, ModelFiles.ScalesFile), scales.ToJson());
                }

                state = state with { BestValidationMae = mae, BestEpoch = epoch };
            }

            lastEpochSeconds = epochWatch.Elapsed.TotalSeconds;
            var record = new EpochRecord(epoch, loss, mae, session.LearningRate, lastEpochSeconds, best);
            state.History.Add(record);
            state = state with { CompletedEpochs = epoch };
            session.SaveWeights(Path.Combine(checkpointDir, "last.weights"));
            session.SaveOptimizer(Path.Combine(checkpointDir, "last.optim"));
            File.WriteAllText(statePath + ".tmp", JsonSerializer.Serialize(state, StateJson));
            File.Move(statePath + ".tmp", statePath, overwrite: true);
            WriteHistoryCsv(Path.Combine(options.OutputDirectory, "training-log.csv"), state.History);
            observer.EpochCompleted(record);
        }

        return new TrainingOutcome(state.CompletedEpochs, state.BestValidationMae, state.BestEpoch, weightsPath, configPath, stoppedByBudget, trainSet.Count, validationSet.Count);
    }

    /// <summary>Linear warm-up, then cosine decay to 1% of the peak rate.</summary>
    public static double Schedule(int step, int warmupSteps, int totalSteps, double peak)
    {
        if (step < warmupSteps)
        {
            return peak * (step + 1) / warmupSteps;
        }

        var progress = Math.Clamp((double)(step - warmupSteps) / Math.Max(1, totalSteps - warmupSteps), 0, 1);
        return peak * (0.01 + (0.99 * 0.5 * (1 + Math.Cos(Math.PI * progress))));
    }

    private static void WriteHistoryCsv(string path, IEnumerable<EpochRecord> history)
    {
        var csv = new StringBuilder("epoch,train_loss,validation_mae,learning_rate,seconds,best\n");
        foreach (var r in history)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{r.Epoch},{r.TrainLoss:F5},{r.ValidationMae:F4},{r.LearningRate:G4},{r.Seconds:F1},{(r.Best ? 1 : 0)}\n");
        }

        File.WriteAllText(path, csv.ToString());
    }

    /// <summary>Progress that reports synchronously on the training thread (Progress&lt;T&gt; would post to the pool).</summary>
    private sealed class InlineProgress(Action<(int Done, int Total, double Loss)> report) : IProgress<(int Done, int Total, double Loss)>
    {
        public void Report((int Done, int Total, double Loss) value) => report(value);
    }

    /// <summary>Disposes the teachers when training ends.</summary>
    private sealed class TeacherList(List<Inference.AgeEstimator> teachers) : IDisposable
    {
        public void Dispose() => teachers.ForEach(t => t.Dispose());
    }
}
