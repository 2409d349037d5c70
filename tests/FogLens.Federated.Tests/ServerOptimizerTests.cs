using FogLens.Compression;

namespace FogLens.Federated.Tests;

/// <summary>Server learning rate, FedAvgM, FedAdam, running statistics, and the persisted optimiser state.</summary>
public sealed class ServerOptimizerTests
{
    private static readonly TensorSpec[] Specs = [new("conv.weight", [3]), new("bn.running_mean", [2])];

    private static ModelState Global() => new(Specs, [[1f, 2f, 3f], [0f, 0f]]);

    private static float[][] Delta() => [[0.1f, -0.2f, 0f], [0.5f, -0.5f]];

    [Fact]
    public void Sgd_WithDefaults_IsFedAvg_SameAsAccumulatorResult()
    {
        var acc = new UpdateAccumulator(Global(), new AggregationOptions());
        acc.Add(UpdateDecoder.Decode(UpdateCodecs.Create(CodecId.Dense).Encode([new UpdateTensor(Specs[0], Delta()[0]), new UpdateTensor(Specs[1], Delta()[1])], null)), 10);
        var plain = acc.Result();
        var stepped = acc.Result(new ServerOptimizer(new ServerOptimizerOptions()));
        Assert.Equal(plain.Values[0], stepped.Values[0]);
        Assert.Equal(plain.Values[1], stepped.Values[1]);
        Assert.Equal(Delta()[0], acc.MeanUpdate()[0]);
    }

    [Fact]
    public void Momentum_SecondStepMovesByOnePlusBetaTimesLearningRate_StatisticsPlain()
    {
        var optimizer = new ServerOptimizer(new ServerOptimizerOptions { LearningRate = 2, Momentum = 0.5 });
        var first = optimizer.Step(Global(), Delta());
        Assert.Equal(1f + (2 * 0.1f), first["conv.weight"][0], 1e-6f);
        var second = optimizer.Step(first, Delta());
        Assert.Equal(first["conv.weight"][0] + (2 * 1.5f * 0.1f), second["conv.weight"][0], 1e-6f);
        Assert.Equal(-0.4f - 0.6f, second["conv.weight"][1] - 2f, 1e-6f);
        Assert.Equal(1.0f, second["bn.running_mean"][0], 1e-6f); // statistics: plain average, no η, no momentum
        Assert.Equal(2, optimizer.Steps);
        Assert.Equal(1f, Global()["conv.weight"][0]);
    }

    [Fact]
    public void Adam_FirstStep_IsNormalisedByTheSecondMoment()
    {
        var o = new ServerOptimizerOptions { Kind = ServerOptimizerKind.Adam, LearningRate = 0.01, Momentum = 0.9, Beta2 = 0.99, Epsilon = 1e-3 };
        var next = new ServerOptimizer(o).Step(Global(), Delta());
        // m = 0.1·Δ, v = 0.01·Δ², step = η·m/(√v + τ) = η·0.1Δ/(0.1|Δ| + τ)
        Assert.Equal(1f + (float)(0.01 * 0.01 / (0.01 + 1e-3)), next["conv.weight"][0], 1e-6f);
        Assert.Equal(2f - (float)(0.01 * 0.02 / (0.02 + 1e-3)), next["conv.weight"][1], 1e-6f);
        Assert.Equal(3f, next["conv.weight"][2]);
    }

    [Theory]
    [InlineData(ServerOptimizerKind.Sgd)]
    [InlineData(ServerOptimizerKind.Adam)]
    public void State_SavedAndRestored_ContinuesExactlyLikeAnUninterruptedOptimizer(ServerOptimizerKind kind)
    {
        var o = new ServerOptimizerOptions { Kind = kind, LearningRate = kind == ServerOptimizerKind.Adam ? 0.01 : 1.5, Momentum = 0.9 };
        var uninterrupted = new ServerOptimizer(o);
        var a = uninterrupted.Step(Global(), Delta());
        var path = Path.Combine(Directory.CreateTempSubdirectory("foglens-so-").FullName, "server.flso");
        try
        {
            uninterrupted.Save(path);
            var restored = ServerOptimizer.Load(path, o);
            Assert.Equal(1, restored.Steps);
            Assert.Equal(uninterrupted.Velocity["conv.weight"], restored.Velocity["conv.weight"]);
            var b1 = uninterrupted.Step(a, [[0.3f, 0.1f, -0.1f], [0f, 0f]]);
            var b2 = restored.Step(a, [[0.3f, 0.1f, -0.1f], [0f, 0f]]);
            Assert.Equal(b1.Values[0], b2.Values[0]);
            Assert.NotEqual(new ServerOptimizer(o).Step(a, [[0.3f, 0.1f, -0.1f], [0f, 0f]]).Values[0], b2.Values[0]); // the state matters

            var bytes = File.ReadAllBytes(path);
            bytes[10] ^= 1;
            Assert.Throws<InvalidDataException>(() => ServerOptimizer.Deserialize(bytes, o));
            Assert.Throws<InvalidDataException>(() => ServerOptimizer.Deserialize(File.ReadAllBytes(path)[..20], o));
            Assert.Equal(0, ServerOptimizer.Load(path + ".missing", o).Steps);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }
}
