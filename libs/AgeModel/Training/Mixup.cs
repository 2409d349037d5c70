namespace FogLens.AgeModel.Training;

/// <summary>
/// Mixup (Zhang et al., ICLR 2018) of a training batch: each face becomes λ·itself + (1 − λ)·another face of the
/// batch, and so do its label distribution, its age and its loss weight, with one λ ~ Beta(α, α) per batch.
/// The rules without tensors, so they can be tested exactly.
/// </summary>
public static class Mixup
{
    /// <summary>Draws λ ~ Beta(α, α) from <paramref name="rng"/> (as X / (X + Y) of two Gamma(α) draws).</summary>
    public static double SampleLambda(Random rng, double alpha)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(alpha);
        var x = Gamma(rng, alpha);
        var y = Gamma(rng, alpha);
        return x + y <= 0 ? 0.5 : x / (x + y);
    }

    /// <summary>
    /// Mixes the first <paramref name="count"/> rows of each array in place with the rows given by <paramref name="partner"/>
    /// (a permutation of 0..count−1): row b becomes λ·row b + (1 − λ)·row partner[b] of the arrays before mixing.
    /// <paramref name="scratch"/> holds a copy of the inputs and must be at least as long as count × <paramref name="inputLength"/>.
    /// </summary>
    public static void Mix(
        Span<float> inputs, int inputLength, Span<float> targets, int bins, Span<float> ages, Span<float> weights, int count, double lambda, ReadOnlySpan<int> partner, Span<float> scratch)
    {
        if (partner.Length < count || inputs.Length < count * inputLength || targets.Length < count * bins || ages.Length < count || weights.Length < count || scratch.Length < count * inputLength)
        {
            throw new ArgumentException("arrays shorter than the batch");
        }

        var l = (float)lambda;
        var m = 1f - l;
        MixRows(inputs, inputLength, count, l, m, partner, scratch);
        Span<float> targetCopy = new float[count * bins];
        MixRows(targets, bins, count, l, m, partner, targetCopy);
        Span<float> one = new float[count];
        MixRows(ages, 1, count, l, m, partner, one);
        MixRows(weights, 1, count, l, m, partner, one);
    }

    private static void MixRows(Span<float> rows, int length, int count, float l, float m, ReadOnlySpan<int> partner, Span<float> copy)
    {
        rows[..(count * length)].CopyTo(copy);
        for (var b = 0; b < count; b++)
        {
            var own = copy.Slice(b * length, length);
            var other = copy.Slice(partner[b] * length, length);
            var target = rows.Slice(b * length, length);
            for (var i = 0; i < length; i++)
            {
                target[i] = (l * own[i]) + (m * other[i]);
            }
        }
    }

    /// <summary>Gamma(shape, 1) by Marsaglia and Tsang (2000); shapes below 1 through Gamma(shape + 1)·U^(1/shape).</summary>
    private static double Gamma(Random rng, double shape)
    {
        if (shape < 1)
        {
            return Gamma(rng, shape + 1) * Math.Pow(1 - rng.NextDouble(), 1 / shape);
        }

        var d = shape - (1.0 / 3);
        var c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = Normal(rng);
                v = 1 + (c * x);
            }
            while (v <= 0);

            v = v * v * v;
            var u = 1 - rng.NextDouble();
            if (Math.Log(u) < (0.5 * x * x) + d - (d * v) + (d * Math.Log(v)))
            {
                return d * v;
            }
        }
    }

    private static double Normal(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
