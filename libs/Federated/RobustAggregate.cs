namespace FogLens.Federated;

/// <summary>Coordinate-wise robust combination of dense updates (trimmed mean, median). Pure; no I/O.</summary>
public static class RobustAggregate
{
    /// <summary>
    /// Combines <paramref name="updates"/> (each a list of tensors with the sizes in <paramref name="sizes"/>) per
    /// coordinate: <see cref="AggregationRule.TrimmedMean"/> drops ⌊β·n⌋ values at each end and averages the rest;
    /// <see cref="AggregationRule.Median"/> takes the middle value (the mean of the two middle ones for even n).
    /// </summary>
    public static float[][] Combine(IReadOnlyList<float[][]> updates, IReadOnlyList<int> sizes, AggregationRule rule, double trimFraction)
    {
        ArgumentNullException.ThrowIfNull(updates);
        ArgumentNullException.ThrowIfNull(sizes);
        if (rule == AggregationRule.FedAvg)
        {
            throw new ArgumentOutOfRangeException(nameof(rule), rule, "FedAvg is a weighted sum, not a coordinate-wise rule");
        }

        var result = sizes.Select(n => new float[n]).ToArray();
        var n = updates.Count;
        if (n == 0)
        {
            return result;
        }

        var trim = rule == AggregationRule.TrimmedMean ? (int)Math.Floor(trimFraction * n) : 0;
        Parallel.For(0, sizes.Count, t =>
        {
            var column = new float[n];
            for (var j = 0; j < sizes[t]; j++)
            {
                for (var u = 0; u < n; u++)
                {
                    column[u] = updates[u][t][j];
                }

                Array.Sort(column);
                result[t][j] = rule == AggregationRule.Median
                    ? (n % 2 == 1 ? column[n / 2] : (column[(n / 2) - 1] + column[n / 2]) / 2)
                    : Mean(column.AsSpan(trim, n - (2 * trim)));
            }
        });
        return result;
    }

    private static float Mean(ReadOnlySpan<float> values)
    {
        double sum = 0;
        foreach (var v in values)
        {
            sum += v;
        }

        return (float)(sum / values.Length);
    }
}
