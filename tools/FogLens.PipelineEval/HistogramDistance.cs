namespace FogLens.PipelineEval;

/// <summary>How far a counted age-group histogram is from the true one: what the portal shows against what walked by.</summary>
public static class HistogramDistance
{
    /// <summary>
    /// Total variation distance (0 = same shares, 1 = disjoint) between two histograms given as counts per group,
    /// each normalised to shares. An empty counted histogram against a non-empty truth is 1.
    /// </summary>
    public static double TotalVariation(IReadOnlyList<double> truth, IReadOnlyList<double> counted)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(counted);
        if (truth.Count != counted.Count)
        {
            throw new ArgumentException($"histograms have {truth.Count} and {counted.Count} groups");
        }

        var truthTotal = truth.Sum();
        var countedTotal = counted.Sum();
        if (countedTotal <= 0 || truthTotal <= 0)
        {
            return countedTotal <= 0 && truthTotal <= 0 ? 0 : 1;
        }

        var sum = 0.0;
        for (var g = 0; g < truth.Count; g++)
        {
            sum += Math.Abs((truth[g] / truthTotal) - (counted[g] / countedTotal));
        }

        return sum / 2;
    }
}
