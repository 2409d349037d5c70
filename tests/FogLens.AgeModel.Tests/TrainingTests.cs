using FogLens.AgeModel.Data;
using FogLens.AgeModel.Imaging;
using FogLens.AgeModel.Training;
using FogLens.Tests.Shared;

namespace FogLens.AgeModel.Tests;

public sealed class TrainingTests
{
    private static readonly AgeNetConfig TinyConfig = new() { InputSize = 32, Widths = [8, 16, 32], ConvsPerStage = [1, 1, 1] };

    [Fact]
    public void TrainEpoch_OnAHandfulOfFaces_LossGoesDown()
    {
        var samples = DatasetSplit.FixedSubset(UtkFaceDataset.Scan(TestPaths.RequireDataset()).Samples, 32);
        using var data = StagedFaceSet.Load(samples, new FacePreprocessor(TinyConfig.InputSize), 2, null, TestContext.Current.CancellationToken);
        using var session = new AgeTrainingSession(TinyConfig, 3e-3, 0, seed: 1, threads: 2);

        var losses = new List<double>();
        for (var epoch = 0; epoch < 10; epoch++)
        {
            losses.Add(session.TrainEpoch(data, 16, new Random(epoch), _ => 3e-3, 0f, null, TestContext.Current.CancellationToken));
        }

        Assert.All(losses, l => Assert.True(double.IsFinite(l)));
        Assert.True(losses[^1] < losses[0] * 0.9, $"loss did not fall: {string.Join(", ", losses.Select(l => l.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)))}");
        Assert.True(double.IsFinite(session.MeanAbsoluteError(data)));
    }

    [Fact]
    public void TrainEpoch_WithMixup_LearnsTheUnmixedFaces()
    {
        // Mixed targets are soft and λ changes every batch, so the loss itself is noisy: judge by the error on the faces as they are.
        var samples = DatasetSplit.FixedSubset(UtkFaceDataset.Scan(TestPaths.RequireDataset()).Samples, 32);
        using var data = StagedFaceSet.Load(samples, new FacePreprocessor(TinyConfig.InputSize), 2, null, TestContext.Current.CancellationToken);
        using var session = new AgeTrainingSession(TinyConfig, 3e-3, 0, seed: 1, threads: 2) { MixupAlpha = 0.4, ExpectationLossWeight = 0.05 };
        var before = session.MeanAbsoluteError(data);

        var losses = Enumerable.Range(0, 50).Select(epoch => session.TrainEpoch(data, 16, new Random(epoch), _ => 3e-3, 0f, null, TestContext.Current.CancellationToken)).ToList();

        var after = session.MeanAbsoluteError(data);
        Assert.All(losses, l => Assert.True(double.IsFinite(l)));
        Assert.True(after < before * 0.75, $"MAE on the training faces {before:F2} → {after:F2}");
    }

    [Fact]
    public void TrainEpoch_DistilledWithWeightOne_LearnsTheTeacherNotTheLabels()
    {
        // The labels are mirrored (age → 100 − age) so that they and the teacher disagree by decades: with β = 1 the
        // target is the teacher's distribution alone, so the student must end near the teacher's ages and far from
        // the labels; the same student trained on the labels (β = 0) must end the other way round.
        var config = TinyConfig with { InputSize = 64 };
        var samples = DatasetSplit.FixedSubset(UtkFaceDataset.Scan(TestPaths.RequireDataset()).Samples, 16)
            .Select(s => s with { Label = s.Label with { Age = LabelDistribution.MaxAge - LabelDistribution.Clamp(s.Label.Age) } }).ToList();
        using var data = StagedFaceSet.Load(samples, new FacePreprocessor(config.InputSize), 2, null, TestContext.Current.CancellationToken);
        using var teacher = new Inference.AgeEstimator(Path.Combine(TestPaths.RepoRoot, "models", "age", "age-net.onnx"));
        var inputs = new float[data.Count * data.Preprocessor.TensorLength];
        for (var i = 0; i < data.Count; i++)
        {
            data.Preprocessor.ToTensor(data.Stage(i), inputs.AsSpan(i * data.Preprocessor.TensorLength, data.Preprocessor.TensorLength), Imaging.Augmentation.Identity);
        }

        double[] teacherAges = [.. teacher.PredictPrepared(inputs, data.Count).Select(p => p.ExpectedAge)];
        double[] labels = [.. data.Samples.Select(s => (double)s.Label.Age)];

        (double ToTeacher, double ToLabels) Train(double beta)
        {
            using var session = new AgeTrainingSession(config, 3e-3, 0, seed: 1, threads: 2) { Teachers = [teacher], DistillationWeight = beta };
            for (var epoch = 0; epoch < 60; epoch++)
            {
                session.TrainEpoch(data, 16, new Random(epoch), _ => 3e-3, 0f, null, TestContext.Current.CancellationToken);
            }

            var ages = session.Predict(data).Select(d => LabelDistribution.ExpectedAge(d)).ToArray();
            return (ages.Select((a, i) => Math.Abs(a - teacherAges[i])).Average(), ages.Select((a, i) => Math.Abs(a - labels[i])).Average());
        }

        var distilled = Train(1);
        var onLabels = Train(0);

        Assert.True(distilled.ToTeacher < distilled.ToLabels / 2, $"distilled: {distilled.ToTeacher:F2} years from the teacher, {distilled.ToLabels:F2} from the labels");
        Assert.True(onLabels.ToLabels < onLabels.ToTeacher / 2, $"on labels: {onLabels.ToLabels:F2} years from the labels, {onLabels.ToTeacher:F2} from the teacher");
    }

    [Fact]
    public void Trainer_TeacherOfAnotherInputSize_IsRefused()
    {
        var output = Directory.CreateTempSubdirectory("foglens-train-").FullName;
        try
        {
            var options = new TrainingOptions
            {
                DataDirectory = TestPaths.RequireDataset(),
                OutputDirectory = output,
                Network = TinyConfig,
                Epochs = 1,
                Limit = 16,
                Teachers = [Path.Combine(TestPaths.RepoRoot, "models", "age", "age-net.onnx")],
            };

            var error = Assert.Throws<ArgumentException>(() => new AgeTrainer(options, new NullObserver()).Run(TestContext.Current.CancellationToken));
            Assert.Contains("64 px", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    [Fact]
    public void Trainer_CheckpointsAndResumes()
    {
        var dataset = TestPaths.RequireDataset();
        var output = Directory.CreateTempSubdirectory("foglens-train-").FullName;
        try
        {
            var options = new TrainingOptions
            {
                DataDirectory = dataset,
                OutputDirectory = output,
                Network = TinyConfig,
                Epochs = 2,
                BatchSize = 16,
                Limit = 48,
                Threads = 2,
            };
            var first = new AgeTrainer(options, new NullObserver()).Run(TestContext.Current.CancellationToken);
            Assert.Equal(2, first.CompletedEpochs);
            Assert.True(File.Exists(Path.Combine(output, ModelFiles.Weights)));
            Assert.True(File.Exists(Path.Combine(output, ModelFiles.Config)));

            var resumed = new AgeTrainer(options with { Epochs = 3, Resume = true }, new NullObserver()).Run(TestContext.Current.CancellationToken);
            Assert.Equal(3, resumed.CompletedEpochs);
            var log = File.ReadAllLines(Path.Combine(output, "training-log.csv"));
            Assert.Equal(4, log.Length); // header + three epochs, the first two kept from before the resume

            using var network = ModelFiles.LoadNetwork(output);
            Assert.Equal(TinyConfig.Widths, network.Config.Widths);
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    [Fact]
    public void Schedule_WarmsUpThenDecays()
    {
        Assert.True(AgeTrainer.Schedule(0, 10, 100, 1.0) < AgeTrainer.Schedule(9, 10, 100, 1.0));
        Assert.Equal(1.0, AgeTrainer.Schedule(10, 10, 100, 1.0), 6);
        Assert.True(AgeTrainer.Schedule(99, 10, 100, 1.0) < 0.05);
    }

    private sealed class NullObserver : ITrainingObserver
    {
        public void Message(string text)
        {
        }

        public void LoadingProgress(int done, int total)
        {
        }

        public void StepProgress(int epoch, int stepIndex, int steps, double meanLoss)
        {
        }

        public void EpochCompleted(EpochRecord record)
        {
        }
    }
}
