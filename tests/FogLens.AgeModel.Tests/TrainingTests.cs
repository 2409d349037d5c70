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
