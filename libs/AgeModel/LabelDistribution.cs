using System.Numerics.Tensors;

namespace FogLens.AgeModel;

/// <summary>
/// Label distribution learning (DLDL) over ages 0..<see cref="MaxAge"/>: a face's target is a
/// discretised Gaussian around its true age; the network predicts a distribution with softmax and is
/// trained with KL(target ‖ prediction); the estimate is the distribution's expected value.
/// </summary>
public static class LabelDistribution
{
    /// <summary>Highest age bin; older ages are clamped to it.</summary>
    public const int MaxAge = 100;

    /// <summary>Number of age bins (0..100).</summary>
    public const int Bins = MaxAge + 1;

    /// <summary>Smallest σ of a <see cref="LabelShape.RangeAware"/> target (years): age 0 is almost one bin.</summary>
    public const double MinSigma = 0.3;

    /// <summary>Clamps an age label into 0..MaxAge.</summary>
    public static int Clamp(int age) => Math.Clamp(age, 0, MaxAge);

    /// <summary>Writes the normalised Gaussian target for <paramref name="age"/> with standard deviation <paramref name="sigma"/>.</summary>
    public static void Gaussian(double age, double sigma, Span<float> destination)
    {
        if (destination.Length != Bins)
        {
            throw new ArgumentException($"destination must hold {Bins} values", nameof(destination));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sigma);
        Fill(Math.Clamp(age, 0, MaxAge), sigma, destination);
    }

    /// <summary>Writes the target of <paramref name="age"/> in the given shape (σ is the mid-range standard deviation).</summary>
    public static void Target(LabelShape shape, double age, double sigma, Span<float> destination)
    {
        switch (shape)
        {
            case LabelShape.Gaussian:
                Gaussian(age, sigma, destination);
                break;
            case LabelShape.RangeAware:
                RangeAware(age, sigma, destination);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(shape), shape, "unknown label shape");
        }
    }

    /// <summary>σ of the <see cref="LabelShape.RangeAware"/> target at <paramref name="age"/>: min(σ, distance to the nearer range end / 2), at least <see cref="MinSigma"/>.</summary>
    public static double RangeAwareSigma(double age, double sigma)
    {
        var a = Math.Clamp(age, 0, MaxAge);
        return Math.Max(MinSigma, Math.Min(sigma, Math.Min(a, MaxAge - a) / 2));
    }

    /// <summary>
    /// Writes the <see cref="LabelShape.RangeAware"/> target: a Gaussian with <see cref="RangeAwareSigma"/>, its
    /// centre found by bisection so that the expectation of the cut, discretised distribution is the age.
    /// </summary>
    public static void RangeAware(double age, double sigma, Span<float> destination)
    {
        if (destination.Length != Bins)
        {
            throw new ArgumentException($"destination must hold {Bins} values", nameof(destination));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sigma);
        var a = Math.Clamp(age, 0, MaxAge);
        var s = RangeAwareSigma(a, sigma);
        double low = a - (4 * s), high = a + (4 * s);
        for (var i = 0; i < 40; i++)
        {
            var mid = 0.5 * (low + high);
            Fill(mid, s, destination);
            if (ExpectedAge(destination) < a)
            {
                low = mid;
            }
            else
            {
                high = mid;
            }
        }

        Fill(0.5 * (low + high), s, destination);
    }

    private static void Fill(double mu, double sigma, Span<float> destination)
    {
        var inv = 1.0 / (2 * sigma * sigma);
        double sum = 0;
        for (var k = 0; k < Bins; k++)
        {
            var d = k - mu;
            var v = Math.Exp(-d * d * inv);
            destination[k] = (float)v;
            sum += v;
        }

        TensorPrimitives.Divide(destination, (float)sum, destination);
    }

    /// <summary>Expected age of a distribution over bins 0..N-1 (the distribution need not be normalised).</summary>
    public static double ExpectedAge(ReadOnlySpan<float> distribution)
    {
        double weighted = 0, total = 0;
        for (var k = 0; k < distribution.Length; k++)
        {
            weighted += k * (double)distribution[k];
            total += distribution[k];
        }

        return total > 0 ? weighted / total : double.NaN;
    }

    /// <summary>
    /// KL(target ‖ prediction) = Σ t·(log t − log p), with 0·log 0 = 0. Used by tests and evaluation;
    /// training computes the same quantity on tensors.
    /// </summary>
    public static double KlDivergence(ReadOnlySpan<float> target, ReadOnlySpan<float> prediction)
    {
        if (target.Length != prediction.Length)
        {
            throw new ArgumentException("distributions differ in length", nameof(prediction));
        }

        double kl = 0;
        for (var k = 0; k < target.Length; k++)
        {
            if (target[k] > 0)
            {
                kl += target[k] * (Math.Log(target[k]) - Math.Log(Math.Max(prediction[k], 1e-30f)));
            }
        }

        return kl;
    }
}
