namespace FogLens.Compression.Wire;

/// <summary>
/// Golomb–Rice coding of sorted positions as gaps (g = pos − previous − 1). With positions kept at
/// density d the gaps are close to geometric, for which the Rice parameter k minimising the expected
/// code length k + 1 + E[⌊g/2^k⌋] is found here numerically (Sattler et al. give the closed form
/// b* = 1 + ⌊log2(log(φ−1)/log(1−d))⌋, which it matches).
/// </summary>
internal static class RiceCoding
{
    public const int MaxParameter = 30;

    /// <summary>Rice parameter minimising expected bits per position at density <paramref name="density"/>.</summary>
    public static int OptimalParameter(double density)
    {
        if (density >= 0.5 || density <= 0)
        {
            return 0;
        }

        var best = 0;
        var bestBits = double.PositiveInfinity;
        for (var k = 0; k <= MaxParameter; k++)
        {
            var bits = ExpectedBitsPerPosition(density, k);
            if (bits < bestBits)
            {
                bestBits = bits;
                best = k;
            }
        }

        return best;
    }

    /// <summary>Expected bits per position for geometric gaps with success probability <paramref name="density"/>.</summary>
    public static double ExpectedBitsPerPosition(double density, int k)
    {
        // P(g ≥ m) = (1−d)^m, so E[⌊g/2^k⌋] = Σ_{j≥1} (1−d)^(j·2^k) = r/(1−r) with r = (1−d)^(2^k).
        var r = Math.Pow(1 - density, Math.Pow(2, k));
        return k + 1 + (r / (1 - r));
    }

    public static void Encode(ReadOnlySpan<int> sortedPositions, int k, BitWriter writer)
    {
        var previous = -1;
        foreach (var position in sortedPositions)
        {
            var gap = (long)position - previous - 1;
            writer.WriteUnary(gap >> k);
            writer.WriteBits((ulong)gap, k);
            previous = position;
        }
    }

    /// <summary>
    /// Decodes <paramref name="destination"/>.Length positions, each &lt; <paramref name="elementCount"/> and
    /// strictly increasing; anything else is <see cref="CorruptUpdateException"/>.
    /// </summary>
    public static void Decode(ref BitReader reader, int k, long elementCount, Span<int> destination)
    {
        long previous = -1;
        var maxQuotient = elementCount >> k;
        for (var i = 0; i < destination.Length; i++)
        {
            var q = reader.ReadUnary(maxQuotient);
            var gap = (q << k) | (long)reader.ReadBits(k);
            var position = previous + 1 + gap;
            if (position >= elementCount)
            {
                throw new CorruptUpdateException(CorruptUpdateReason.Inconsistent, $"position {position} is outside a tensor of {elementCount} elements");
            }

            destination[i] = (int)position;
            previous = position;
        }
    }
}
