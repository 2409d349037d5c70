using System.Text;
using FogLens.Compression.Wire;

namespace FogLens.Compression;

/// <summary>
/// Bits accounting: exact header sizes and the analytic size of each codec's payload for a model, to
/// compare with measured payloads and with dense float32.
/// </summary>
public static class UpdateSizes
{
    /// <summary>Bytes of header, tensor table and CRC for <paramref name="specs"/> (codec-independent).</summary>
    public static long OverheadBytes(IReadOnlyList<TensorSpec> specs)
    {
        ArgumentNullException.ThrowIfNull(specs);
        long bytes = UpdateFormat.HeaderLength + UpdateFormat.CrcLength;
        foreach (var s in specs)
        {
            bytes += UpdateFormat.EntryLength(Encoding.UTF8.GetByteCount(s.Name), s.Shape.Length);
        }

        return bytes;
    }

    /// <summary>Size of a dense float32 update (header included), in bits.</summary>
    public static double DenseBits(IReadOnlyList<TensorSpec> specs) =>
        8.0 * (OverheadBytes(specs) + (4 * specs.Sum(s => s.ElementCount)));

    /// <summary>
    /// Expected SBC size in bits under per-tensor selection: per tensor k = ⌈p·n⌉ positions with
    /// Rice-coded gaps at density k/n (gaps modelled as geometric), plus on average half a byte of
    /// padding, plus the exact overhead.
    /// </summary>
    public static double ExpectedSbcBits(IReadOnlyList<TensorSpec> specs, double sparsity) =>
        ExpectedSparseBits(specs, sparsity, valueBits: 0);

    /// <summary>Expected top-k size in bits (positions as for SBC plus 32 bits per kept value).</summary>
    public static double ExpectedTopKBits(IReadOnlyList<TensorSpec> specs, double sparsity) =>
        ExpectedSparseBits(specs, sparsity, valueBits: 32);

    /// <summary>Exact signSGD size in bits.</summary>
    public static double SignSgdBits(IReadOnlyList<TensorSpec> specs) =>
        8.0 * (OverheadBytes(specs) + specs.Sum(s => (s.ElementCount + 7) / 8));

    /// <summary>Exact Q8 size in bits.</summary>
    public static double Q8Bits(IReadOnlyList<TensorSpec> specs) =>
        8.0 * (OverheadBytes(specs) + specs.Sum(s => s.ElementCount));

    /// <summary>Expected bits of one position at density <paramref name="density"/> with the optimal Rice parameter.</summary>
    public static double ExpectedBitsPerPosition(double density) =>
        RiceCoding.ExpectedBitsPerPosition(density, RiceCoding.OptimalParameter(density));

    private static double ExpectedSparseBits(IReadOnlyList<TensorSpec> specs, double sparsity, int valueBits)
    {
        var bits = 8.0 * OverheadBytes(specs);
        foreach (var s in specs)
        {
            var n = s.ElementCount;
            var k = Math.Min(n, Math.Max(1, (long)Math.Ceiling(sparsity * n)));
            var density = (double)k / n;
            var positionBits = k * ExpectedBitsPerPosition(density);
            bits += positionBits + 4 + (k * valueBits);
        }

        return bits;
    }
}
