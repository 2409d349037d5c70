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
        var mu = Math.Clamp(age, 0, MaxAge);
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
