using FogLens.AgeModel.Data;
using FogLens.AgeModel.Training;
using FogLens.Tests.Shared;

namespace FogLens.Federated.Tests;

/// <summary>--trainable all|last-blocks|head on the real network's tensor names, and frozen tensors' zero updates.</summary>
[Collection("Torch global state")]
public sealed class TrainableLayersTests
{
    [Fact]
    public void IsTrainable_OnTheAgeNetworksTensorNames()
    {
        using var network = new AgeNet(new AgeNetConfig());
        var names = network.state_dict().Keys.ToList();
        var blocks = new AgeNetConfig().ConvsPerStage.Sum();
        var head = new LocalTrainingOptions { Trainable = TrainableLayers.Head };
        var last = new LocalTrainingOptions { Trainable = TrainableLayers.LastBlocks, TrainableBlocks = 2 };
        Assert.Equal(["_head.weight", "_head.bias"], names.Where(n => head.IsTrainable(n, blocks)));
        var lastNames = names.Where(n => last.IsTrainable(n, blocks)).ToList();
        Assert.Contains("_convs.6.weight", lastNames);
        Assert.Contains("_norms.5.running_var", lastNames);
        Assert.DoesNotContain("_convs.4.weight", lastNames);
        Assert.Equal(2 + 2 + (2 * 4), lastNames.Count(n => !n.EndsWith("num_batches_tracked", StringComparison.Ordinal)));
        Assert.All(names, n => Assert.True(new LocalTrainingOptions().IsTrainable(n, blocks)));
        var frozenStatistics = new LocalTrainingOptions { FreezeStatistics = true };
        Assert.Equal(names.Where(n => !n.Contains("running_", StringComparison.Ordinal)), names.Where(n => frozenStatistics.IsTrainable(n, blocks)));
        Assert.Equal(TrainableLayers.LastBlocks, LocalTrainingOptions.ParseTrainable("last-blocks"));
        Assert.Throws<ArgumentException>(() => LocalTrainingOptions.ParseTrainable("first"));
    }

    [Fact]
    public void Train_HeadOnly_FrozenTensorsHaveZeroUpdates()
    {
        var dataset = TestPaths.RequireDataset();
        var samples = DatasetSplit.FixedSubset(UtkFaceDataset.Scan(dataset).Samples, 40);
        var baseModel = Path.Combine(TestPaths.RepoRoot, "models", "age");
        var config = AgeNetConfig.FromJson(File.ReadAllText(Path.Combine(baseModel, ModelFiles.Config)));
        using var trainer = new LocalTrainer(config, 2);
        trainer.LoadSamples(samples, TestContext.Current.CancellationToken);
        var options = new LocalTrainingOptions { Trainable = TrainableLayers.Head, BatchSize = 16, LearningRate = 1e-3 };
        var (update, _, _, _) = trainer.Train(Path.Combine(baseModel, ModelFiles.Weights), options, 3, TestContext.Current.CancellationToken);
        foreach (var tensor in update)
        {
            var moved = tensor.Values.ToArray().Any(v => v != 0);
            Assert.True(moved == tensor.Name.StartsWith("_head.", StringComparison.Ordinal), $"{tensor.Name} moved: {moved}");
        }
    }
}
