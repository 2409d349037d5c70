using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using FogLens.Compression;

namespace FogLens.Compression.Tests;

/// <summary>STC (ternary values), dense small tensors, DGC momentum correction / masking / local clipping, sparsity warm-up, and the v2 state file.</summary>
public sealed class ConvergenceLeverTests
{
    private static float[] Ramp(int n, float scale) => [.. Enumerable.Range(0, n).Select(i => (i % 2 == 0 ? 1 : -1) * scale * (i + 1))];

    [Fact]
    public void Stc_SendsTopMagnitudesOfBothSignsAsPlusMinusMeanMagnitude_ResidualKeepsTheRest()
    {
        float[] values = [0.1f, -5f, 0.2f, 3f, -0.3f, 0.05f, 4f, -0.01f, 0.02f, 0.03f];
        var codec = UpdateCodecs.Create("stc", new CodecOptions { Sparsity = 0.3 });
        var state = new CodecState();
        var decoded = UpdateDecoder.Decode(codec.Encode([new UpdateTensor("w", [10], values)], state)).Tensors[0];
        Assert.Equal(CodecId.Stc, codec.Id);
        Assert.Equal([1, 3, 6], decoded.Positions!);
        var mu = (5f + 3f + 4f) / 3f;
        Assert.Equal([-mu, mu, mu], decoded.Values!);
        var residual = state.Residuals["w"];
        Assert.Equal(-5f + mu, residual[1], 1e-6f);
        Assert.Equal(3f - mu, residual[3], 1e-6f);
        Assert.Equal(0.1f, residual[0]);
    }

    [Fact]
    public void Stc_PayloadCutOrPaddingBitSet_IsCorrupt()
    {
        var payload = UpdateCodecs.Create(CodecId.Stc, new CodecOptions { Sparsity = 0.01 }).Encode([new UpdateTensor("w", [1000], Ramp(1000, 1e-3f))], null);
        Assert.Throws<CorruptUpdateException>(() => UpdateDecoder.Decode(payload.AsSpan(0, payload.Length - 5)));
        var tampered = (byte[])payload.Clone();
        tampered[^5] |= 0x80; // last sign byte: 10 signs use 2 bits of it, the top bit is padding
        Assert.Throws<CorruptUpdateException>(() => UpdateDecoder.Decode(PayloadTampering.WithFixedCrc(tampered)));
    }

    [Theory]
    [InlineData(CodecId.Sbc)]
    [InlineData(CodecId.TopK)]
    [InlineData(CodecId.Stc)]
    public void DenseMaxElements_SendsSmallTensorsExactly_LargeOnesSparse(CodecId id)
    {
        var bias = Ramp(16, 0.01f);
        var weight = Ramp(4000, 1e-4f);
        var options = new CodecOptions { Sparsity = 0.01, DenseMaxElements = 16 };
        var state = new CodecState();
        var payload = UpdateCodecs.Create(id, options).Encode([new UpdateTensor("bias", [16], bias), new UpdateTensor("w", [4000], weight), new UpdateTensor("frozen", [8], new float[8])], state);
        var decoded = UpdateDecoder.Decode(payload);
        Assert.False(decoded.Tensors[0].IsSparse);
        Assert.Equal(bias, decoded.Tensors[0].ToDense());
        Assert.All(state.Residuals["bias"], r => Assert.Equal(0f, r));
        Assert.True(decoded.Tensors[1].IsSparse);
        Assert.True(decoded.Tensors[1].SentCount <= 40);
        Assert.Equal(0, decoded.Tensors[2].SentCount); // an all-zero small tensor is not sent densely

        var without = UpdateCodecs.Create(id, options with { DenseMaxElements = 0 }).Encode([new UpdateTensor("bias", [16], bias), new UpdateTensor("w", [4000], weight), new UpdateTensor("frozen", [8], new float[8])], null);
        Assert.True(UpdateDecoder.Decode(without).Tensors[0].SentCount < 16);
    }

    [Fact]
    public void MomentumCorrection_AccumulatesVelocity_MaskedWhereSent()
    {
        var update = new float[100];
        update[7] = 1f;
        update[50] = 0.5f;
        for (var i = 0; i < update.Length; i++)
        {
            update[i] += 0.001f;
        }

        var options = new CodecOptions { Sparsity = 0.01, Momentum = 0.9 };
        var state = new CodecState();
        var codec = UpdateCodecs.Create(CodecId.TopK, options);
        var first = UpdateDecoder.Decode(codec.Encode([new UpdateTensor("w", [100], update)], state)).Tensors[0];
        Assert.Equal([7], first.Positions!);
        var velocity = state.Velocities["w"];
        Assert.Equal(0f, velocity[7]); // masked: sent
        Assert.Equal(0.501f, velocity[50], 1e-6f); // u = ΔW where not sent
        var second = UpdateDecoder.Decode(codec.Encode([new UpdateTensor("w", [100], update)], state)).Tensors[0];
        Assert.Equal([50], second.Positions!);
        // Residual held 0.501 at 50; the new velocity is 0.9·0.501 + 0.501, so A = 0.501 + 0.9519.
        Assert.Equal(0.501f + (0.9f * 0.501f) + 0.501f, second.Values![0], 1e-5f);

        var unmasked = new CodecState();
        var plain = UpdateCodecs.Create(CodecId.TopK, options with { MomentumMasking = false });
        plain.Encode([new UpdateTensor("w", [100], update)], unmasked);
        Assert.Equal(1.001f, unmasked.Velocities["w"][7], 1e-6f);
    }

    [Fact]
    public void StateTensors_KeepNoResidualOrVelocity_SoARepeatedDifferenceIsNotSentTwice()
    {
        // A BatchNorm running mean the fog sees 1.0 above the global one, round after round (the global has not moved).
        var shift = Enumerable.Repeat(1f, 200).ToArray();
        var weight = Ramp(200, 1e-3f);
        UpdateTensor[] Update() => [new UpdateTensor("bn.running_mean", [200], shift), new UpdateTensor("conv.weight", [200], weight)];
        var fixedCodec = UpdateCodecs.Create(CodecId.Sbc, new CodecOptions { Sparsity = 0.01, Momentum = 0.5 });
        var legacyCodec = UpdateCodecs.Create(CodecId.Sbc, new CodecOptions { Sparsity = 0.01, Momentum = 0.5, StateTensorSuffixes = [] });
        var fixedState = new CodecState();
        var legacyState = new CodecState();
        float fixedSent = 0, legacySent = 0;
        for (var round = 0; round < 5; round++)
        {
            fixedSent = UpdateDecoder.Decode(fixedCodec.Encode(Update(), fixedState)).Tensors[0].SharedValue;
            legacySent = UpdateDecoder.Decode(legacyCodec.Encode(Update(), legacyState)).Tensors[0].SharedValue;
        }

        Assert.Equal(1f, fixedSent, 1e-6f); // the difference itself, every round
        Assert.True(legacySent > 3f, $"with a residual the same difference piles up: {legacySent}");
        Assert.All(fixedState.Residuals["bn.running_mean"], r => Assert.Equal(0f, r));
        Assert.All(fixedState.Velocities["bn.running_mean"], v => Assert.Equal(0f, v));
        Assert.Contains(fixedState.Residuals["conv.weight"], r => r != 0); // weights keep error feedback
        Assert.True(new CodecOptions().IsStateTensor("_norms.3.running_var"));
        Assert.False(new CodecOptions().IsStateTensor("_norms.3.weight"));
    }

    [Fact]
    public void LocalClipping_ScalesTheUpdateToTheNorm_InputUntouched()
    {
        var values = new float[] { 3f, 4f }; // norm 5
        var decoded = UpdateDecoder.Decode(UpdateCodecs.Create(CodecId.Dense, new CodecOptions { ClipNorm = 1 }).Encode([new UpdateTensor("w", [2], values)], null));
        Assert.Equal(1.0, decoded.Norm(), 1e-6);
        Assert.Equal(3f, values[0]);
        var small = UpdateDecoder.Decode(UpdateCodecs.Create(CodecId.Dense, new CodecOptions { ClipNorm = 10 }).Encode([new UpdateTensor("w", [2], values)], null));
        Assert.Equal(5.0, small.Norm(), 1e-6);
    }

    [Fact]
    public void Warmup_StartsDenseAndReachesTheTargetSparsity()
    {
        var options = new CodecOptions { Sparsity = 0.001, WarmupRounds = 4, WarmupStartSparsity = 0.25 };
        Assert.Equal(0.25, options.ForRound(0).Sparsity, 1e-12);
        var p = Enumerable.Range(0, 6).Select(r => options.ForRound(r).Sparsity).ToArray();
        Assert.True(p.Zip(p.Skip(1)).All(x => x.First > x.Second || x.Second == 0.001), string.Join(", ", p));
        Assert.Equal(0.001, options.ForRound(4).Sparsity);
        Assert.Same(options, options.ForRound(10));

        var state = new CodecState();
        var update = Ramp(1000, 1e-3f);
        var counts = new List<long>();
        for (var round = 0; round < 5; round++)
        {
            var codec = UpdateCodecs.Create(CodecId.Sbc, options.ForRound(state.Rounds));
            counts.Add(UpdateDecoder.Decode(codec.Encode([new UpdateTensor("w", [1000], update)], state)).SentCount);
        }

        Assert.Equal(counts.OrderDescending(), counts);
        Assert.True(counts[0] >= 100, $"first warm-up round sends a quarter of one sign's values, got {counts[0]}");
        Assert.Equal(1, counts[^1]);
    }

    [Fact]
    public void State_WithVelocities_RoundTrips_AndVersion1FilesStillRead()
    {
        var state = new CodecState();
        var codec = UpdateCodecs.Create(CodecId.Sbc, new CodecOptions { Sparsity = 0.01, Momentum = 0.5 });
        codec.Encode([new UpdateTensor("a", [300], Ramp(300, 1e-3f)), new UpdateTensor("b", [40], Ramp(40, 1e-2f))], state);
        var restored = CodecState.Deserialize(state.Serialize());
        Assert.Equal(state.Rounds, restored.Rounds);
        Assert.Equal(state.Residuals["a"], restored.Residuals["a"]);
        Assert.Equal(state.Velocities["b"], restored.Velocities["b"]);
        Assert.Equal(2, restored.Velocities.Count);

        // A restored state continues exactly like the original.
        var next = Ramp(300, 2e-3f);
        var fromOriginal = codec.Encode([new UpdateTensor("a", [300], next), new UpdateTensor("b", [40], Ramp(40, 1e-2f))], state);
        var fromRestored = codec.Encode([new UpdateTensor("a", [300], next), new UpdateTensor("b", [40], Ramp(40, 1e-2f))], restored);
        Assert.Equal(fromOriginal, fromRestored);

        // Version 1: magic, version, rounds, residual count, (name, n, values)…, CRC; no velocities.
        var body = new List<byte>();
        body.AddRange("FLRS"u8.ToArray());
        body.Add(1);
        body.AddRange(BitConverter.GetBytes(3L));
        body.AddRange(BitConverter.GetBytes(1));
        body.AddRange(BitConverter.GetBytes((ushort)1));
        body.AddRange(Encoding.UTF8.GetBytes("w"));
        body.AddRange(BitConverter.GetBytes(2L));
        body.AddRange(BitConverter.GetBytes(0.5f));
        body.AddRange(BitConverter.GetBytes(-1.5f));
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(crc, Crc32.HashToUInt32([.. body]));
        var v1 = CodecState.Deserialize([.. body, .. crc]);
        Assert.Equal(3, v1.Rounds);
        Assert.Equal([0.5f, -1.5f], v1.Residuals["w"]);
        Assert.Empty(v1.Velocities);

        var truncated = state.Serialize()[..^9];
        Assert.Throws<CorruptUpdateException>(() => CodecState.Deserialize(truncated));
    }
}
