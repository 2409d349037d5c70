namespace FogLens.Cli.Load;

/// <summary>The sums both load tests (`bench load` and `bench load --edges-only`) report.</summary>
internal static class LoadStatistics
{
    /// <summary>The <paramref name="q"/> quantile of sorted values (nearest rank), rounded to 0.1; NaN when there are none.</summary>
    public static double Percentile(List<double> sorted, double q) =>
        sorted.Count == 0 ? double.NaN : Math.Round(sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)], 1);

    /// <summary>CPU seconds each process used between two readings, rounded to 0.1.</summary>
    public static Dictionary<string, double> CpuUsed(Dictionary<string, double> before, Dictionary<string, double> after) =>
        after.ToDictionary(p => p.Key, p => Math.Round(p.Value - before.GetValueOrDefault(p.Key), 1));
}
