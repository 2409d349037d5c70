using FogLens.Compression;
using FogLens.Compression.Selection;

namespace FogLens.Compression.Tests;

public sealed class CodecRoundTripTests
{
    public static TheoryData<CodecId, SelectionScope> AllCodecs()
    {
        var data = new TheoryData<CodecId, SelectionScope>();
        foreach (var id in Enum.GetValues<CodecId>())
        {
            data.Add(id, SelectionScope.PerTensor);
            data.Add(id, SelectionScope.Global);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllCodecs))]
    public void Encode_Decode_DecodedPlusNewResidualEqualsUpdatePlusOldResidual(CodecId id, SelectionScope scope)
    {
        for (var seed = 0; seed < 60; seed++)
        {
            var rng = new Random(seed);
            var options = new CodecOptions { Sparsity = new[] { 0.5, 0.1, 0.01, 0.001 }[seed % 4], Selection = scope };
            var codec = UpdateCodecs.Create(id, options);
            var state = new CodecState();
            for (var round = 0; round < 3; round++)
            {
                var update = RandomUpdates.Create(rng, rng.Next(1, 6), 4000);
                var before = update.ToDictionary(u => u.Name, u => Add(u.Values.Span, state.Residuals.GetValueOrDefault(u.Name)));

                var payload = codec.Encode(update, state);
                var decoded = UpdateDecoder.Decode(payload, expected: RandomUpdates.Specs(update));

                Assert.Equal(id, decoded.Codec);
                Assert.Equal(scope == SelectionScope.Global, decoded.GlobalSelection);
                foreach (var tensor in decoded.Tensors)
                {
                    var reconstructed = Add(tensor.ToDense(), state.Residuals.GetValueOrDefault(tensor.Spec.Name));
                    var expected = before[tensor.Spec.Name];
                    for (var i = 0; i < expected.Length; i++)
                    {
                        Assert.True(Math.Abs(expected[i] - reconstructed[i]) <= 1e-5f * (1 + Math.Abs(expected[i])), $"{id} seed {seed} tensor {tensor.Spec.Name}[{i}]: {expected[i]} vs {reconstructed[i]}");
                    }
                }

                // Drop old names' residuals that the next random update will not have.
                state.Reset();
            }
        }
    }

    [Fact]
    public void Dense_IsLossless()
    {
        var rng = new Random(11);
        var update = RandomUpdates.Create(rng, 5, 3000);
        var decoded = UpdateDecoder.Decode(UpdateCodecs.Create(CodecId.Dense).Encode(update, null));
        for (var t = 0; t < update.Length; t++)
        {
            Assert.Equal(update[t].Values.ToArray(), decoded.Tensors[t].ToDense());
        }
    }

    [Theory]
    [InlineData(100, 5000)]
    [InlineData(3, 200_000)] // large enough to take the parallel encoding path
    public void Sbc_PositionsAndMeansEqualReferenceExactly(int seeds, int maxElements)
    {
        for (var seed = 0; seed < seeds; seed++)
        {
            var rng = new Random(seed);
            var p = new[] { 0.2, 0.05, 0.01 }[seed % 3];
            var update = maxElements > 100_000
                ? [.. Enumerable.Range(0, 4).Select(t => new UpdateTensor($"big{t}", [maxElements], Enumerable.Range(0, maxElements).Select(_ => (float)RandomUpdates.Gaussian(rng)).ToArray()))]
                : RandomUpdates.Create(rng, rng.Next(1, 5), maxElements);
            var decoded = UpdateDecoder.Decode(UpdateCodecs.Create(CodecId.Sbc, new CodecOptions { Sparsity = p }).Encode(update, new CodecState()));
            for (var t = 0; t < update.Length; t++)
            {
                var values = update[t].Values.ToArray();
                var k = Math.Max(1, (int)Math.Ceiling(p * values.Length));
                var positive = TopIndices(values, SelectionKey.Positive, k);
                var negative = TopIndices(values, SelectionKey.Negative, k);
                var meanPositive = Mean(values, positive);
                var meanNegative = -Mean(values, negative);
                var usePositive = meanPositive >= meanNegative;
                var expectedPositions = usePositive ? positive : negative;
                var expectedMu = expectedPositions.Length == 0 ? 0f : usePositive ? meanPositive : -meanNegative;

                Assert.Equal(expectedPositions, decoded.Tensors[t].Positions);
                Assert.Equal(expectedMu, decoded.Tensors[t].SharedValue);
            }
        }
    }

    [Fact]
    public void Encode_NaNOrInfinity_ThrowsAndLeavesStateUnchanged()
    {
        var codec = UpdateCodecs.Create(CodecId.Sbc);
        var state = new CodecState();
        var good = new[] { new UpdateTensor("w", [4], new float[] { 1, -2, 3, -4 }) };
        codec.Encode(good, state);
        var residual = state.Residuals["w"].ToArray();

        foreach (var bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
        {
            var update = new[] { new UpdateTensor("w", [4], new float[] { 1, bad, 3, -4 }) };
            var ex = Assert.Throws<NonFiniteUpdateException>(() => codec.Encode(update, state));
            Assert.Equal("w", ex.TensorName);
            Assert.Equal(residual, state.Residuals["w"]);
            Assert.Equal(1, state.Rounds);
        }
    }

    [Fact]
    public void Encode_ResidualPlusUpdateOverflows_ThrowsAndLeavesStateUnchanged()
    {
        var codec = UpdateCodecs.Create(CodecId.Sbc, new CodecOptions { Sparsity = 0.25 });
        var state = new CodecState();
        codec.Encode([new UpdateTensor("a", [4], new float[] { 1, 2, 3, 4 }), new UpdateTensor("w", [4], new float[] { 3e38f, 3e38f, 3e38f, -3e38f })], state);
        var before = state.Residuals.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());

        var overflow = new[] { new UpdateTensor("a", [4], new float[] { 5, 5, 5, 5 }), new UpdateTensor("w", [4], new float[] { 0, 3e38f, 0, 0 }) };
        Assert.Throws<NonFiniteUpdateException>(() => codec.Encode(overflow, state));

        foreach (var (name, values) in before)
        {
            Assert.Equal(values, state.Residuals[name]);
        }

        Assert.Equal(1, state.Rounds);
    }

    [Fact]
    public void Encode_ValuesNotMatchingShape_Throws() =>
        Assert.Throws<ArgumentException>(() => UpdateCodecs.Create(CodecId.Dense).Encode([new UpdateTensor("w", [2, 3], new float[5])], null));

    [Fact]
    public void Encode_ResidualOfDifferentSize_ThrowsWithAdvice()
    {
        var codec = UpdateCodecs.Create(CodecId.Sbc);
        var state = new CodecState();
        codec.Encode([new UpdateTensor("w", [4], new float[] { 1, 2, 3, 4 })], state);
        var ex = Assert.Throws<InvalidOperationException>(() => codec.Encode([new UpdateTensor("w", [5], new float[5])], state));
        Assert.Contains("Reset", ex.Message, StringComparison.Ordinal);
    }

    private static float[] Add(ReadOnlySpan<float> a, float[]? b)
    {
        var result = a.ToArray();
        if (b is not null)
        {
            for (var i = 0; i < result.Length; i++)
            {
                result[i] += b[i];
            }
        }

        return result;
    }

    private static int[] TopIndices(float[] values, SelectionKey kind, int k) =>
        [.. values.Select((v, i) => (Key: TopKSelector.Key(v, kind), Index: i))
            .Where(e => e.Key > 0)
            .OrderByDescending(e => e.Key).ThenBy(e => e.Index)
            .Take(k)
            .Select(e => e.Index)
            .Order()];

    private static float Mean(float[] values, int[] positions)
    {
        if (positions.Length == 0)
        {
            return 0f;
        }

        double sum = 0;
        foreach (var i in positions)
        {
            sum += values[i];
        }

        return (float)(sum / positions.Length);
    }
}
