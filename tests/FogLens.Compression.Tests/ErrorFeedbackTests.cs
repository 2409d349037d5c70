using FogLens.Compression;

namespace FogLens.Compression.Tests;

public sealed class ErrorFeedbackTests
{
    [Theory]
    [InlineData(CodecId.Sbc)]
    [InlineData(CodecId.TopK)]
    [InlineData(CodecId.SignSgd)]
    [InlineData(CodecId.Q8)]
    [InlineData(CodecId.Stc)]
    public void SumOfDecodedUpdates_ConvergesToSumOfRawUpdates(CodecId id)
    {
        var rng = new Random(5);
        var codec = UpdateCodecs.Create(id, new CodecOptions { Sparsity = 0.01 });
        var state = new CodecState();
        const int n = 20_000;
        var drift = new float[n];
        for (var i = 0; i < n; i++)
        {
            drift[i] = (float)(RandomUpdates.Gaussian(rng) * 1e-3);
        }

        var rawSum = new double[n];
        var decodedSum = new double[n];
        var relativeErrors = new List<double>();
        for (var round = 1; round <= 400; round++)
        {
            // A consistent direction plus noise, like successive local-training deltas.
            var update = new float[n];
            for (var i = 0; i < n; i++)
            {
                update[i] = drift[i] + (float)(RandomUpdates.Gaussian(rng) * 1e-3);
                rawSum[i] += update[i];
            }

            var decoded = UpdateDecoder.Decode(codec.Encode([new UpdateTensor("w", [n], update)], state)).Tensors[0].ToDense();
            for (var i = 0; i < n; i++)
            {
                decodedSum[i] += decoded[i];
            }

            // Error feedback invariant: everything not yet sent is in the residual.
            if (round % 50 == 0)
            {
                var residual = state.Residuals["w"];
                double gap = 0, norm = 0, residualNorm = 0;
                for (var i = 0; i < n; i++)
                {
                    gap += (rawSum[i] - decodedSum[i] - residual[i]) * (rawSum[i] - decodedSum[i] - residual[i]);
                    norm += rawSum[i] * rawSum[i];
                    residualNorm += residual[i] * residual[i];
                }

                Assert.True(Math.Sqrt(gap) <= 1e-3 * Math.Sqrt(norm), $"{id}: sum(raw) - sum(decoded) differs from the residual by {Math.Sqrt(gap)}");
                relativeErrors.Add(Math.Sqrt(residualNorm) / Math.Sqrt(norm));
            }
        }

        // The residual stays bounded while the sum grows, so the relative error falls.
        Assert.True(relativeErrors[^1] < relativeErrors[0], $"{id}: relative error did not fall: {string.Join(", ", relativeErrors)}");
        Assert.True(relativeErrors[^1] < 0.25, $"{id}: relative error {relativeErrors[^1]} after 400 rounds");
    }

    [Fact]
    public void WithoutErrorFeedback_SbcLosesSignal()
    {
        var rng = new Random(6);
        const int n = 10_000;
        var codec = UpdateCodecs.Create(CodecId.Sbc, new CodecOptions { Sparsity = 0.01, ErrorFeedback = false });
        var state = new CodecState();
        double raw = 0, sent = 0;
        for (var round = 0; round < 50; round++)
        {
            var update = Enumerable.Range(0, n).Select(_ => (float)(1e-3 + (RandomUpdates.Gaussian(rng) * 1e-3))).ToArray();
            raw += update.Sum();
            sent += UpdateDecoder.Decode(codec.Encode([new UpdateTensor("w", [n], update)], state)).Tensors[0].ToDense().Sum();
        }

        Assert.Empty(state.Residuals);
        Assert.True(sent < 0.2 * raw, $"without feedback most of the drift should be lost ({sent} of {raw})");
    }

    [Fact]
    public void State_SerializeRoundTripsAndDetectsCorruption()
    {
        var rng = new Random(8);
        var state = new CodecState();
        var codec = UpdateCodecs.Create(CodecId.Sbc);
        codec.Encode(RandomUpdates.Create(rng, 4, 2000), state);

        var bytes = state.Serialize();
        var restored = CodecState.Deserialize(bytes);
        Assert.Equal(state.Rounds, restored.Rounds);
        Assert.Equal(state.Residuals.Keys.Order(), restored.Residuals.Keys.Order());
        foreach (var (name, r) in state.Residuals)
        {
            Assert.Equal(r, restored.Residuals[name]);
        }

        var path = Path.Combine(Path.GetTempPath(), $"foglens-state-{Guid.NewGuid():N}.bin");
        try
        {
            state.Save(path);
            Assert.Equal(bytes, CodecState.Load(path).Serialize());
        }
        finally
        {
            File.Delete(path);
        }

        var flipped = (byte[])bytes.Clone();
        flipped[bytes.Length / 2] ^= 0x10;
        Assert.Equal(CorruptUpdateReason.ChecksumMismatch, Assert.Throws<CorruptUpdateException>(() => CodecState.Deserialize(flipped)).Reason);
        Assert.Throws<CorruptUpdateException>(() => CodecState.Deserialize(bytes.AsSpan(0, bytes.Length - 9)));
    }
}
