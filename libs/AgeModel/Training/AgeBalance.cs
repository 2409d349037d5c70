namespace FogLens.AgeModel.Training;

/// <summary>
/// Per-age loss weights against the data's age imbalance (label-distribution smoothing of Yang et al.,
/// "Delving into Deep Imbalanced Regression", 2021): the age histogram is smoothed with a Gaussian kernel
/// and each age weighs density^(−power), normalised so the mean weight over the faces is 1 and capped.
/// power 0 gives all ones; 0.5 (inverse square root) is the usual choice.
/// </summary>
public static class AgeBalance
{
    /// <summary>Largest weight relative to the mean (a few rare old faces must not dominate a batch).</summary>
    public const double MaxWeight = 5;

    /// <summary>Weights for ages 0..<see cref="LabelDistribution.MaxAge"/> from the (clamped) ages of the training faces.</summary>
    public static float[] Weights(IEnumerable<int> ages, double power, double kernelSigma = 2.0)
    {
        ArgumentNullException.ThrowIfNull(ages);
        ArgumentOutOfRangeException.ThrowIfNegative(power);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernelSigma);
        var counts = Counts(ages);
        var total = counts.Sum();
        var weights = new float[LabelDistribution.Bins];
        if (total == 0 || power == 0)
        {
            Array.Fill(weights, 1f);
            return weights;
        }

        var density = Smooth(counts, kernelSigma);

        var raw = density.Select(d => Math.Pow(d, -power)).ToArray();
        var mean = 0.0;
        for (var a = 0; a < raw.Length; a++)
        {
            mean += raw[a] * counts[a];
        }

        mean /= total;
        for (var a = 0; a < raw.Length; a++)
        {
            weights[a] = (float)Math.Min(MaxWeight, raw[a] / mean);
        }

        return weights;
    }

    /// <summary>The smoothed age distribution of the faces (sums to 1, every age at least a little above 0).</summary>
    public static double[] Prior(IEnumerable<int> ages, double kernelSigma = 2.0)
    {
        ArgumentNullException.ThrowIfNull(ages);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernelSigma);
        var density = Smooth(Counts(ages), kernelSigma);
        var sum = density.Sum();
        return [.. density.Select(d => d / sum)];
    }

    private static double[] Counts(IEnumerable<int> ages)
    {
        var counts = new double[LabelDistribution.Bins];
        foreach (var age in ages)
        {
            counts[LabelDistribution.Clamp(age)]++;
        }

        return counts;
    }

    private static double[] Smooth(double[] counts, double kernelSigma)
    {
        var density = new double[LabelDistribution.Bins];
        for (var a = 0; a < density.Length; a++)
        {
            double sum = 0, norm = 0;
            for (var b = 0; b < counts.Length; b++)
            {
                var k = Math.Exp(-((a - b) * (a - b)) / (2 * kernelSigma * kernelSigma));
                sum += k * counts[b];
                norm += k;
            }

            density[a] = Math.Max(sum / norm, 1e-3);
        }

        return density;
    }
}
