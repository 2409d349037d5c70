using System.Buffers.Binary;
using FogLens.Compression;

namespace FogLens.Compression.Tests;

public sealed class DecoderRejectionTests
{
    private static readonly UpdateTensor[] Update = RandomUpdates.Create(new Random(21), 4, 3000);

    public static TheoryData<CodecId> Codecs() => [.. Enum.GetValues<CodecId>()];

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Decode_EveryTruncation_ThrowsTyped(CodecId id)
    {
        var payload = UpdateCodecs.Create(id).Encode(Update, null);
        for (var length = 0; length < payload.Length; length += Math.Max(1, payload.Length / 300))
        {
            var ex = Assert.Throws<CorruptUpdateException>(() => UpdateDecoder.Decode(payload.AsSpan(0, length)));
            Assert.Contains(ex.Reason, new[] { CorruptUpdateReason.Truncated, CorruptUpdateReason.ChecksumMismatch });
        }
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Decode_AnySingleBitFlip_ThrowsChecksumMismatch(CodecId id)
    {
        var payload = UpdateCodecs.Create(id).Encode(Update, null);
        for (var bit = 5 * 8; bit < payload.Length * 8; bit += Math.Max(1, payload.Length * 8 / 500))
        {
            var flipped = (byte[])payload.Clone();
            flipped[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.Equal(CorruptUpdateReason.ChecksumMismatch, Assert.Throws<CorruptUpdateException>(() => UpdateDecoder.Decode(flipped)).Reason);
        }
    }

    [Fact]
    public void Decode_BadMagicOrVersion_ThrowsTyped()
    {
        var payload = UpdateCodecs.Create(CodecId.Sbc).Encode(Update, null);
        var magic = (byte[])payload.Clone();
        magic[0] = (byte)'X';
        Assert.Equal(CorruptUpdateReason.BadMagic, Assert.Throws<CorruptUpdateException>(() => UpdateDecoder.Decode(magic)).Reason);

        var version = (byte[])payload.Clone();
        version[4] = 9;
        Assert.Equal(CorruptUpdateReason.UnsupportedVersion, Assert.Throws<CorruptUpdateException>(() => UpdateDecoder.Decode(PayloadTampering.WithFixedCrc(version))).Reason);

        var codec = (byte[])payload.Clone();
        codec[5] = 77;
        Assert.Equal(CorruptUpdateReason.UnknownCodec, Assert.Throws<CorruptUpdateException>(() => UpdateDecoder.Decode(PayloadTampering.WithFixedCrc(codec))).Reason);
    }

    [Fact]
    public void Decode_OverLimits_ThrowsOversized()
    {
        var payload = UpdateCodecs.Create(CodecId.Dense).Encode(Update, null);
        Assert.Equal(CorruptUpdateReason.Oversized, Assert.Throws<CorruptUpdateException>(() => UpdateDecoder.Decode(payload, new DecodeLimits { MaxPayloadBytes = payload.Length - 1 })).Reason);
        Assert.Equal(CorruptUpdateReason.Oversized, Assert.Throws<CorruptUpdateException>(() => UpdateDecoder.Decode(payload, new DecodeLimits { MaxTensors = 2 })).Reason);
        Assert.Equal(CorruptUpdateReason.Oversized, Assert.Throws<CorruptUpdateException>(() => UpdateDecoder.Decode(payload, new DecodeLimits { MaxElements = 100 })).Reason);
    }

    [Fact]
    public void Decode_HugeAnnouncedSizes_RejectedWithoutAllocating()
    {
        var payload = UpdateCodecs.Create(CodecId.Sbc).Encode(Update, null);
        var huge = (byte[])payload.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(huge.AsSpan(8), 4000); // tensor count
        BinaryPrimitives.WriteUInt64LittleEndian(huge.AsSpan(12), 90_000_000); // total elements
        huge = PayloadTampering.WithFixedCrc(huge);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<CorruptUpdateException>(() => UpdateDecoder.Decode(huge));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains(ex.Reason, new[] { CorruptUpdateReason.Truncated, CorruptUpdateReason.Inconsistent });
        Assert.True(allocated < 64 * 1024, $"allocated {allocated} bytes for a {huge.Length}-byte payload");
    }

    [Fact]
    public void Decode_ShapeMismatch_ThrowsShapeMismatch()
    {
        var payload = UpdateCodecs.Create(CodecId.Sbc).Encode(Update, null);
        var expected = RandomUpdates.Specs(Update);
        expected[1] = expected[1] with { Shape = [.. expected[1].Shape, 2] };
        Assert.Equal(CorruptUpdateReason.ShapeMismatch, Assert.Throws<CorruptUpdateException>(() => UpdateDecoder.Decode(payload, expected: expected)).Reason);
        Assert.Equal(CorruptUpdateReason.ShapeMismatch, Assert.Throws<CorruptUpdateException>(() => UpdateDecoder.Decode(payload, expected: expected[..2])).Reason);

        var renamed = RandomUpdates.Specs(Update);
        renamed[0] = renamed[0] with { Name = "other" };
        Assert.Equal(CorruptUpdateReason.ShapeMismatch, Assert.Throws<CorruptUpdateException>(() => UpdateDecoder.Decode(payload, expected: renamed)).Reason);
    }

    [Fact]
    public void Decode_NaNValueOrMean_ThrowsNonFinite()
    {
        var single = new[] { new UpdateTensor("w", [4], new float[] { 1, 2, 3, 4 }) };

        // Dense: the values start right after header (20) + entry (1 + 1 + 1 + 4 + 21).
        var dense = UpdateCodecs.Create(CodecId.Dense).Encode(single, null);
        BinaryPrimitives.WriteSingleLittleEndian(dense.AsSpan(20 + 28 + 4), float.NaN);
        Assert.Equal(CorruptUpdateReason.NonFinite, Assert.Throws<CorruptUpdateException>(() => UpdateDecoder.Decode(PayloadTampering.WithFixedCrc(dense))).Reason);

        // SBC: μ is the entry's second float (after name length, name, rank, dim, p).
        var sbc = UpdateCodecs.Create(CodecId.Sbc).Encode(single, null);
        BinaryPrimitives.WriteSingleLittleEndian(sbc.AsSpan(20 + 1 + 1 + 1 + 4 + 4), float.PositiveInfinity);
        Assert.Equal(CorruptUpdateReason.NonFinite, Assert.Throws<CorruptUpdateException>(() => UpdateDecoder.Decode(PayloadTampering.WithFixedCrc(sbc))).Reason);
    }
}
