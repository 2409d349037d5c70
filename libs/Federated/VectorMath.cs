using System.Numerics.Tensors;

namespace FogLens.Federated;

/// <summary>Small statistics shared by the aggregation rules, the contribution scorer and the energy bound.</summary>
internal static class VectorMath
{
    /// <summary>The median (the mean of the two middle values for an even count); throws on no values.</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Squared L2 norm over all tensors, accumulated in double.</summary>
    public static double SquaredNorm(IEnumerable<float[]> tensors) =>
        tensors.Sum(t =>
        {
            var n = TensorPrimitives.Norm(t);
            return (double)n * n;
        });
}
