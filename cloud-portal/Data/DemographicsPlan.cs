namespace FogLens.CloudPortal.Data;

/// <summary>
/// Splits a demographics time range into parts read from the per-minute windows or from the roll-ups, so that a
/// query reads as few rows as its resolution allows and still counts each window once. Whole hours (and, for totals,
/// whole UTC days) inside the range come from the roll-ups, the unaligned ends from the windows; an end that lies
/// where the windows were already deleted (older than <c>Portal:RawRetentionDays</c>) is widened to its whole hour,
/// and where the hourly roll-ups were deleted too, to its whole day. Rules only: no database.
/// </summary>
public static class DemographicsPlan
{
    /// <summary>
    /// One part of the range: <see cref="Period"/> null reads windows starting in [<see cref="Start"/>,
    /// <see cref="End"/>) (with <see cref="OpenAtStart"/>, windows still open at <see cref="Start"/>, as a filter's
    /// "from" means); otherwise roll-up buckets starting in it. <see cref="DateTimeOffset.MinValue"/> and
    /// <see cref="DateTimeOffset.MaxValue"/> stand for no bound.
    /// </summary>
    public sealed record Segment(RollupPeriod? Period, DateTimeOffset Start, DateTimeOffset End, bool OpenAtStart = false);

    /// <param name="from">Windows ending after this count (null: no bound).</param>
    /// <param name="to">Windows starting before this count (null: no bound).</param>
    /// <param name="coarsest">Coarsest roll-up the caller can use (null: per-minute windows are needed, e.g. for 5-minute trend buckets).</param>
    /// <param name="rawKeptFrom">Windows starting at or after this are still stored.</param>
    /// <param name="hourlyKeptFrom">Hourly roll-ups starting at or after the UTC day before this one's are still stored (<see cref="HourlyDeleteBefore"/>).</param>
    public static IReadOnlyList<Segment> Plan(DateTimeOffset? from, DateTimeOffset? to, RollupPeriod? coarsest, DateTimeOffset rawKeptFrom, DateTimeOffset hourlyKeptFrom)
    {
        var rawCut = Ceil(rawKeptFrom, RollupPeriod.Hour);
        var hourCut = Min(Ceil(hourlyKeptFrom, RollupPeriod.Day), Floor(rawCut, RollupPeriod.Day)); // day-aligned, never past the windows' start
        var lower = from ?? DateTimeOffset.MinValue;
        var upper = to ?? DateTimeOffset.MaxValue;
        if (lower >= upper)
        {
            return [];
        }

        var open = from is not null;
        if (lower < rawCut)
        {
            lower = Floor(lower, lower < hourCut ? RollupPeriod.Day : RollupPeriod.Hour);
            open = false;
        }

        if (upper < rawCut)
        {
            upper = Ceil(upper, upper < hourCut ? RollupPeriod.Day : RollupPeriod.Hour);
        }

        var segments = new List<Segment>();
        if (coarsest is null)
        {
            AddRollups(segments, lower, Min(upper, rawCut), RollupPeriod.Hour, hourCut);
            Add(segments, new Segment(null, Max(lower, rawCut), upper, open && lower >= rawCut));
        }
        else
        {
            var first = Ceil(lower, RollupPeriod.Hour);
            var last = Floor(upper, RollupPeriod.Hour);
            if (first >= last)
            {
                Add(segments, new Segment(null, lower, upper, open));
            }
            else
            {
                Add(segments, new Segment(null, lower, first, open));
                AddRollups(segments, first, last, coarsest.Value, hourCut);
                Add(segments, new Segment(null, last, upper));
            }
        }

        return segments;
    }

    /// <summary>Hourly roll-ups older than this may be deleted when the plans are made with <paramref name="hourlyKeptFrom"/>.</summary>
    public static DateTimeOffset HourlyDeleteBefore(DateTimeOffset hourlyKeptFrom) => Floor(hourlyKeptFrom, RollupPeriod.Day) - TimeSpan.FromDays(1);

    /// <summary>Start of the hour or UTC day holding <paramref name="time"/> (no-bound values stay as they are).</summary>
    public static DateTimeOffset Floor(DateTimeOffset time, RollupPeriod period) =>
        time == DateTimeOffset.MinValue || time == DateTimeOffset.MaxValue ? time : DemographicsRollups.BucketOf(time, period);

    /// <summary>The first hour or UTC day start at or after <paramref name="time"/> (no-bound values stay as they are).</summary>
    public static DateTimeOffset Ceil(DateTimeOffset time, RollupPeriod period)
    {
        var floor = Floor(time, period);
        return floor == time ? time : floor + (period == RollupPeriod.Hour ? TimeSpan.FromHours(1) : TimeSpan.FromDays(1));
    }

    /// <summary>Roll-ups for [start, end): daily where the hourly ones are gone, else hourly, with whole days daily when allowed.</summary>
    private static void AddRollups(List<Segment> segments, DateTimeOffset start, DateTimeOffset end, RollupPeriod coarsest, DateTimeOffset hourCut)
    {
        Add(segments, new Segment(RollupPeriod.Day, start, Min(end, hourCut)));
        start = Max(start, hourCut);
        if (coarsest == RollupPeriod.Day)
        {
            var firstDay = Ceil(start, RollupPeriod.Day);
            var lastDay = Floor(end, RollupPeriod.Day);
            if (firstDay < lastDay)
            {
                Add(segments, new Segment(RollupPeriod.Hour, start, firstDay));
                Add(segments, new Segment(RollupPeriod.Day, firstDay, lastDay));
                Add(segments, new Segment(RollupPeriod.Hour, lastDay, end));
                return;
            }
        }

        Add(segments, new Segment(RollupPeriod.Hour, start, end));
    }

    private static void Add(List<Segment> segments, Segment segment)
    {
        if (segment.Start < segment.End)
        {
            segments.Add(segment);
        }
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
