using FogLens.CloudPortal.Data;

namespace FogLens.CloudPortal.Components.Charts;

/// <summary>Words and time-axis formats for a <see cref="RangeTrend"/>.</summary>
public static class TrendText
{
    public static string Bucket(TimeSpan? bucket) => bucket switch
    {
        null => string.Empty,
        { TotalDays: >= 1 } b => b.TotalDays == 1 ? "day" : $"{b.TotalDays:0} days",
        { TotalHours: >= 1 } b => b.TotalHours == 1 ? "hour" : $"{b.TotalHours:0} h",
        { } b => $"{b.TotalMinutes:0} min",
    };

    /// <summary>Times of day for a range within a day; with the date for longer ones; dates alone for day buckets.</summary>
    public static string Format(RangeTrend trend)
    {
        ArgumentNullException.ThrowIfNull(trend);
        if (trend.Bucket >= TimeSpan.FromDays(1))
        {
            return "MM-dd";
        }

        return trend.Buckets.Count > 0 && trend.Buckets[^1] - trend.Buckets[0] >= TimeSpan.FromDays(1) ? "dd HH:mm" : "HH:mm";
    }
}
