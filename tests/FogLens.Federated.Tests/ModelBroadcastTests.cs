using FogLens.Compression;

namespace FogLens.Federated.Tests;

/// <summary>
/// Downstream compression (<see cref="ModelBroadcast"/>): the fogs and the server compute the same held model from a
/// delta, what a delta leaves out is sent later (the held model converges to the global one), and a delta that is not
/// for this model is refused.
/// </summary>
public sealed class ModelBroadcastTests
{
    private static readonly TensorSpec[] Specs = [new("features.weight", [100, 100]), new("features.bias", [100]), new("bn.running_var", [64])];

    [Theory]
    [InlineData(CodecId.TopK)]
    [InlineData(CodecId.Stc)]
    public void RepeatedDeltas_BringTheHeldModelToTheGlobalOne_AndBothSidesAgreeBitForBit(CodecId codec)
    {
        var random = new Random(5);
        var target = State(random, 1f);
        var server = State(new Random(9), 1f);
        var fog = server.Clone();
        var options = new CodecOptions { Sparsity = 0.05, DenseMaxElements = 1024 };
        var gaps = new List<double>();
        long bytes = 0;
        for (var round = 0; round < 60; round++)
        {
            var (delta, next) = ModelBroadcast.Encode(server, target, codec, options);
            bytes += delta.Length;
            fog = ModelBroadcast.Apply(fog, delta);
            Assert.Equal(ModelBroadcast.Fingerprint(next), ModelBroadcast.Fingerprint(fog));
            server = next;
            gaps.Add(Gap(target, server));
        }

        Assert.True(gaps[^1] < gaps[0] / 20, $"the held model must converge to the global one: gap {gaps[0]:G3} → {gaps[^1]:G3}");
        Assert.True(bytes < 60 * target.ElementCount * 4 / 5, "sixty sparse deltas must cost far less than sixty whole models");

        // The small tensors (biases, BatchNorm) went densely: exact after the first delta.
        Assert.Equal(target["features.bias"], server["features.bias"]);
    }

    [Fact]
    public void GapBound_RaisesTheBudgetWhenEveryValueChanges_AndKeepsItWhenFewDo()
    {
        var held = State(new Random(4), 1f);
        var everywhere = held.Clone();
        var random = new Random(8);
        foreach (var values in everywhere.Values)
        {
            for (var i = 0; i < values.Length; i++)
            {
                values[i] += (float)(random.NextDouble() - 0.5) * 0.05f;
            }
        }

        var options = new CodecOptions { Sparsity = 0.01, DenseMaxElements = 1024 };
        var (fixedDelta, fixedNext) = ModelBroadcast.Encode(held, everywhere, CodecId.TopK, options);
        var (boundedDelta, boundedNext) = ModelBroadcast.Encode(held, everywhere, CodecId.TopK, options, maxGap: 1e-3);
        Assert.True(ModelBroadcast.Gap(everywhere, fixedNext) > 1e-2, "1 % of the values leaves most of a change everywhere unsent");
        Assert.True(ModelBroadcast.Gap(everywhere, boundedNext) <= 1e-3);
        Assert.True(boundedDelta.Length > 10 * fixedDelta.Length);

        // Only a few values changed (as when only the classifier is trained): the bound costs nothing.
        var few = held.Clone();
        few.Values[0][3] += 0.5f;
        few.Values[0][77] -= 0.25f;
        var (cheap, _) = ModelBroadcast.Encode(held, few, CodecId.TopK, options, maxGap: 1e-3);
        Assert.Equal(ModelBroadcast.Encode(held, few, CodecId.TopK, options).Payload, cheap);
        Assert.Throws<ArgumentOutOfRangeException>(() => ModelBroadcast.Encode(held, few, CodecId.TopK, options, maxGap: -1));
    }

    [Fact]
    public void Fingerprint_IsEqualForEqualStates_AndChangesWithOneBit()
    {
        var state = State(new Random(1), 1f);
        var copy = state.Clone();
        Assert.Equal(ModelBroadcast.Fingerprint(state), ModelBroadcast.Fingerprint(copy));
        copy.Values[0][17] = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(copy.Values[0][17]) ^ 1);
        Assert.NotEqual(ModelBroadcast.Fingerprint(state), ModelBroadcast.Fingerprint(copy));
        var renamed = new ModelState([new("other.weight", [100, 100]), Specs[1], Specs[2]], state.Values);
        Assert.NotEqual(ModelBroadcast.Fingerprint(state), ModelBroadcast.Fingerprint(renamed));
    }

    [Fact]
    public void RunningVariances_StayAboveTheFloor_AndForeignOrDamagedDeltasAreRefused()
    {
        var held = State(new Random(2), 1f);
        var target = held.Clone();
        Array.Fill(target["bn.running_var"], -3f);
        var (delta, next) = ModelBroadcast.Encode(held, target, CodecId.TopK, new CodecOptions { Sparsity = 0.01, DenseMaxElements = 1024 });
        Assert.All(next["bn.running_var"], v => Assert.Equal(UpdateSpace.MinimumVariance, v));

        var damaged = (byte[])delta.Clone();
        damaged[^10] ^= 0x40;
        Assert.Throws<CorruptUpdateException>(() => ModelBroadcast.Apply(held, damaged));
        var other = new ModelState([new("features.weight", [50, 200]), Specs[1], Specs[2]], held.Values);
        Assert.Throws<CorruptUpdateException>(() => ModelBroadcast.Apply(other, delta));
    }

    private static ModelState State(Random random, float scale) => new(
        Specs, [.. Specs.Select(s => Enumerable.Range(0, (int)s.ElementCount).Select(_ => s.Name.EndsWith("running_var", StringComparison.Ordinal) ? 0.5f + (float)random.NextDouble() : (float)(random.NextDouble() - 0.5) * scale).ToArray())]);

    private static double Gap(ModelState a, ModelState b)
    {
        double d = 0;
        for (var t = 0; t < a.Values.Count; t++)
        {
            for (var i = 0; i < a.Values[t].Length; i++)
            {
                d += (double)(a.Values[t][i] - b.Values[t][i]) * (a.Values[t][i] - b.Values[t][i]);
            }
        }

        return Math.Sqrt(d);
    }
}
