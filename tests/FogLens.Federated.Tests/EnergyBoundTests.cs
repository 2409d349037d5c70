using FogLens.Compression;

namespace FogLens.Federated.Tests;

/// <summary>Energy-bounded asynchronous mode: late updates may turn the step but not lengthen it past the synchronous estimate.</summary>
public sealed class EnergyBoundTests
{
    private static readonly TensorSpec[] Specs = [new("_head.weight", [4])];

    private static ModelState Global() => new(Specs, [new float[4]]);

    private static DecodedUpdate Update(params float[] values) =>
        UpdateDecoder.Decode(UpdateCodecs.Create(CodecId.Dense).Encode([new UpdateTensor(Specs[0], values)], null));

    [Fact]
    public void SyncEnergy_MeasuresOnlyTheOnTimeMean_AndTheBoundScalesTheWholeStep()
    {
        var accumulator = new UpdateAccumulator(Global(), new AggregationOptions { EnergyBounded = true });
        accumulator.Add(Update(1, 0, 0, 0), 10);
        accumulator.Add(Update(1, 0, 0, 0), 10);
        accumulator.Add(Update(0, 8, 0, 0), 10, stalenessWeight: 0.5, late: true); // a long late update
        Assert.Equal(1, accumulator.SyncEnergy, 1e-9); // on-time mean (1, 0, 0, 0)

        var step = accumulator.MeanUpdate(); // (2, 4, 0, 0) / 3: energy 20/9
        Assert.Equal(20 / 9.0, step[0].Sum(v => (double)v * v), 1e-5);
        var factor = UpdateAccumulator.BoundEnergy(step, 1);
        Assert.Equal(Math.Sqrt(9 / 20.0), factor, 1e-6);
        Assert.Equal(1, step[0].Sum(v => (double)v * v), 1e-5);
        Assert.Equal(2 * step[0][0], step[0][1], 1e-6f); // the direction the late update gave is kept
        Assert.Equal(1, UpdateAccumulator.BoundEnergy(step, 5)); // within the bound: unchanged

        var server = new ServerOptimizer(new ServerOptimizerOptions());
        var bounded = accumulator.Result(server, energyBound: 1);
        Assert.Equal(1, bounded.Values[0].Sum(v => (double)v * v), 1e-5);
    }

    [Fact]
    public void Estimate_IsAnExponentialAverageOfSyncEnergies_PersistedAndChecked()
    {
        var estimate = new EnergyEstimate();
        estimate.Observe(0, 0.9); // a round without on-time updates says nothing
        Assert.Null(estimate.Value);
        estimate.Observe(4, 0.9);
        estimate.Observe(14, 0.9);
        Assert.Equal(5, estimate.Value!.Value, 1e-9); // 0.9·4 + 0.1·14

        var folder = Directory.CreateTempSubdirectory("foglens-energy-").FullName;
        try
        {
            var path = Path.Combine(folder, "energy.txt");
            Assert.Null(EnergyEstimate.Load(path).Value);
            estimate.Save(path);
            Assert.Equal(5, EnergyEstimate.Load(path).Value);
            File.WriteAllText(path, "NaN");
            Assert.Throws<InvalidDataException>(() => EnergyEstimate.Load(path));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
