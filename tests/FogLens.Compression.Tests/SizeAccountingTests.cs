using FogLens.Compression;

namespace FogLens.Compression.Tests;

public sealed class SizeAccountingTests
{
    [Theory]
    [InlineData(0.01)]
    [InlineData(0.001)]
    public void Sbc_MeasuredSize_WithinFivePercentOfAnalytic(double p)
    {
        var rng = new Random(31);
        var update = RandomUpdates.Model(rng, 1_000_000);
        var specs = RandomUpdates.Specs(update);
        var payload = UpdateCodecs.Create(CodecId.Sbc, new CodecOptions { Sparsity = p }).Encode(update, null);

        var measuredBits = payload.Length * 8.0;
        var expectedBits = UpdateSizes.ExpectedSbcBits(specs, p);
        Assert.InRange(measuredBits / expectedBits, 0.95, 1.05);

        // About log2(1/p) + 2 bits per kept position.
        var perPosition = UpdateSizes.ExpectedBitsPerPosition(p);
        Assert.InRange(perPosition, Math.Log2(1 / p), Math.Log2(1 / p) + 2.5);
    }

    [Fact]
    public void TopK_MeasuredSize_WithinFivePercentOfAnalytic()
    {
        var update = RandomUpdates.Model(new Random(32), 500_000);
        var payload = UpdateCodecs.Create(CodecId.TopK, new CodecOptions { Sparsity = 0.01 }).Encode(update, null);
        Assert.InRange(payload.Length * 8.0 / UpdateSizes.ExpectedTopKBits(RandomUpdates.Specs(update), 0.01), 0.95, 1.05);
    }

    [Fact]
    public void DenseSignQ8_SizesAreExact()
    {
        var update = RandomUpdates.Model(new Random(33), 100_003, tensors: 3);
        var specs = RandomUpdates.Specs(update);
        Assert.Equal(UpdateSizes.DenseBits(specs), UpdateCodecs.Create(CodecId.Dense).Encode(update, null).Length * 8.0);
        Assert.Equal(UpdateSizes.SignSgdBits(specs), UpdateCodecs.Create(CodecId.SignSgd).Encode(update, null).Length * 8.0);
        Assert.Equal(UpdateSizes.Q8Bits(specs), UpdateCodecs.Create(CodecId.Q8).Encode(update, null).Length * 8.0);
    }

    [Fact]
    public void Sbc_AtOnePercent_CompressesOverTwoHundredTimes()
    {
        var update = RandomUpdates.Model(new Random(34), 1_000_000);
        var decoded = UpdateDecoder.Decode(UpdateCodecs.Create(CodecId.Sbc, new CodecOptions { Sparsity = 0.01 }).Encode(update, null));
        Assert.True(decoded.CompressionRatio > 200, $"ratio {decoded.CompressionRatio}");
    }
}
