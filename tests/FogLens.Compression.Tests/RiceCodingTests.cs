using System.Text;
using FogLens.Compression.Wire;

namespace FogLens.Compression.Tests;

public sealed class RiceCodingTests
{
    [Fact]
    public void Encode_MatchesStraightforwardReference_BitForBit()
    {
        for (var seed = 0; seed < 200; seed++)
        {
            var rng = new Random(seed);
            var n = rng.Next(1, 5000);
            var positions = Enumerable.Range(0, n).Where(_ => rng.NextDouble() < rng.NextDouble() * 0.2).ToArray();
            var k = rng.Next(0, 12);

            using var writer = new BitWriter();
            RiceCoding.Encode(positions, k, writer);
            var actual = writer.Complete().ToArray();

            Assert.Equal(ReferenceEncode(positions, k), actual);
        }
    }

    /// <summary>
    /// Regression: a unary code of 63 ones read from a full 64-bit buffer shifted by 64, which C# turns
    /// into a shift by 0, so the next gaps were misread. Found when SBC residuals at p = 0.01 produced a
    /// gap of 63·2^k at a 64-bit boundary in the federated experiment.
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(5)]
    public void Decode_UnaryRunEndingAtA64BitBoundary_RoundTrips(int lead)
    {
        for (var k = 0; k < 4; k++)
        {
            // "lead" short gaps, then a gap whose quotient is 63 so that its 63 ones and stop bit can fill a refill exactly.
            var positions = new List<int>();
            var p = -1;
            for (var i = 0; i < lead; i++)
            {
                p += 1;
                positions.Add(p);
            }

            p += 1 + (63 << k);
            positions.Add(p);
            for (var i = 0; i < 20; i++)
            {
                p += 1 + i;
                positions.Add(p);
            }

            using var writer = new BitWriter();
            RiceCoding.Encode(positions.ToArray(), k, writer);
            var bytes = writer.Complete().ToArray();
            var decoded = new int[positions.Count];
            var reader = new BitReader(bytes);
            RiceCoding.Decode(ref reader, k, p + 1, decoded);
            Assert.Equal(positions, decoded);
        }
    }

    [Fact]
    public void Decode_RoundTripsEncode()
    {
        for (var seed = 0; seed < 200; seed++)
        {
            var rng = new Random(seed);
            var n = rng.Next(1, 100_000);
            var positions = Enumerable.Range(0, n).Where(_ => rng.NextDouble() < 0.01).ToArray();
            var k = RiceCoding.OptimalParameter((double)Math.Max(1, positions.Length) / n);
            using var writer = new BitWriter();
            RiceCoding.Encode(positions, k, writer);
            var bytes = writer.Complete().ToArray();

            var decoded = new int[positions.Length];
            var reader = new BitReader(bytes);
            RiceCoding.Decode(ref reader, k, n, decoded);
            Assert.Equal(positions, decoded);
            Assert.Equal(bytes.Length, reader.BytesConsumed);
        }
    }

    [Theory]
    [InlineData(0.01, 6)]
    [InlineData(0.001, 9)]
    [InlineData(0.1, 3)]
    public void OptimalParameter_MatchesSbcClosedForm(double p, int expected)
    {
        // Sattler et al.: b* = 1 + floor(log2(log(phi - 1) / log(1 - p))).
        var phi = (Math.Sqrt(5) + 1) / 2;
        var closedForm = 1 + (int)Math.Floor(Math.Log2(Math.Log(phi - 1) / Math.Log(1 - p)));
        Assert.Equal(expected, closedForm);
        Assert.Equal(closedForm, RiceCoding.OptimalParameter(p));
    }

    [Fact]
    public void Decode_PositionBeyondTensor_Throws()
    {
        using var writer = new BitWriter();
        RiceCoding.Encode([5, 90], 2, writer);
        var bytes = writer.Complete().ToArray();
        var ex = Assert.Throws<CorruptUpdateException>(() =>
        {
            var reader = new BitReader(bytes);
            RiceCoding.Decode(ref reader, 2, 50, new int[2]);
        });
        Assert.Equal(CorruptUpdateReason.Inconsistent, ex.Reason);
    }

    /// <summary>Rice coding done the obvious way: a string of '1'/'0' characters, then packed LSB-first.</summary>
    private static byte[] ReferenceEncode(int[] positions, int k)
    {
        var bits = new StringBuilder();
        var previous = -1;
        foreach (var p in positions)
        {
            var gap = p - previous - 1;
            bits.Append('1', gap >> k).Append('0');
            for (var b = 0; b < k; b++)
            {
                bits.Append(((gap >> b) & 1) == 1 ? '1' : '0');
            }

            previous = p;
        }

        var bytes = new byte[(bits.Length + 7) / 8];
        for (var i = 0; i < bits.Length; i++)
        {
            if (bits[i] == '1')
            {
                bytes[i / 8] |= (byte)(1 << (i % 8));
            }
        }

        return bytes;
    }
}
