using FogLens.CloudPortal.Common;
using Microsoft.EntityFrameworkCore;

namespace FogLens.CloudPortal.Data;

/// <summary>
/// The demographics aggregates behind the Demographics and Overview pages and the API: each time range is read from
/// the per-minute windows and the hourly and daily roll-ups as <see cref="DemographicsPlan"/> splits it, so a query's
/// cost follows the number of buckets it shows, not the number of windows stored.
/// </summary>
internal sealed class DemographicsReader(PortalDb db, PortalOptions options, TimeProvider time)
{
    private readonly int _minFaces = options.MinFacesShown;

    public async Task<IReadOnlyList<GroupTotal>> GroupTotalsAsync(DemographicsFilter filter, CancellationToken cancellationToken)
    {
        await using var context = db.Create();
        var totals = new Dictionary<(string Label, int MinAge), long>();
        foreach (var segment in Plan(filter, RollupPeriod.Day))
        {
            if (segment.Period is { } period)
            {
                var rows = await Rollups(context, filter, segment, period).Where(r => r.Label != DemographicsRollup.AllFaces)
                    .GroupBy(r => new { r.Label, r.MinAge }).Select(g => new { g.Key.Label, g.Key.MinAge, Faces = g.Sum(r => r.Faces) })
                    .ToListAsync(cancellationToken);
                rows.ForEach(r => Bump(totals, (r.Label, r.MinAge), r.Faces));
            }
            else
            {
                var rows = await (from w in Windows(context, filter, segment) join g in context.AgeGroups on w.Id equals g.WindowId
                                  group g by new { g.Label, g.MinAge } into x
                                  select new { x.Key.Label, x.Key.MinAge, Faces = x.Sum(y => (long)y.Count) }).ToListAsync(cancellationToken);
                rows.ForEach(r => Bump(totals, (r.Label, r.MinAge), r.Faces));
            }
        }

        return [.. totals.OrderBy(t => t.Key.MinAge).ThenBy(t => t.Key.Label, StringComparer.Ordinal).Select(t => new GroupTotal(t.Key.Label, t.Key.MinAge, t.Value))];
    }

    /// <summary>Faces per age group per time bucket (windows counted in the bucket where they start).</summary>
    public async Task<IReadOnlyList<TrendBucket>> TrendAsync(DemographicsFilter filter, TimeSpan bucket, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(bucket, TimeSpan.Zero);
        RollupPeriod? coarsest = bucket.Ticks % TimeSpan.TicksPerDay == 0 ? RollupPeriod.Day
            : bucket.Ticks % TimeSpan.TicksPerHour == 0 && TimeSpan.TicksPerDay % bucket.Ticks == 0 ? RollupPeriod.Hour : null;
        await using var context = db.Create();
        var buckets = new SortedDictionary<long, Dictionary<string, long>>();
        void Add(DateTimeOffset start, string label, long faces) =>
            Bump(buckets.TryGetValue(start.UtcTicks / bucket.Ticks, out var b) ? b : buckets[start.UtcTicks / bucket.Ticks] = [], label, faces);
        foreach (var segment in Plan(filter, coarsest))
        {
            if (segment.Period is { } period)
            {
                var rows = await Rollups(context, filter, segment, period).Where(r => r.Label != DemographicsRollup.AllFaces)
                    .GroupBy(r => new { r.BucketStart, r.Label }).Select(g => new { g.Key.BucketStart, g.Key.Label, Faces = g.Sum(r => r.Faces) })
                    .ToListAsync(cancellationToken);
                rows.ForEach(r => Add(r.BucketStart, r.Label, r.Faces));
            }
            else
            {
                // Grouped by label first: grouping by start first makes SQLite walk the whole start index in order
                // instead of reading the few windows the end index finds (the last hour: 6,000 windows of 100 cameras).
                var rows = await (from w in Windows(context, filter, segment) join g in context.AgeGroups on w.Id equals g.WindowId
                                  group g by new { g.Label, w.WindowStart } into x
                                  select new { x.Key.WindowStart, x.Key.Label, Faces = x.Sum(y => (long)y.Count) }).ToListAsync(cancellationToken);
                rows.ForEach(r => Add(r.WindowStart, r.Label, r.Faces));
            }
        }

        return [.. buckets.Select(b => new TrendBucket(new DateTimeOffset(b.Key * bucket.Ticks, TimeSpan.Zero), b.Value))];
    }

    /// <summary>Fogs and cameras that ever reported (from the daily roll-ups: one row per camera and day).</summary>
    public async Task<(IReadOnlyList<string> Fogs, IReadOnlyList<string> Cameras)> FilterChoicesAsync(CancellationToken cancellationToken)
    {
        await using var context = db.Create();
        var cameras = await context.Rollups.AsNoTracking()
            .Where(r => r.Period == RollupPeriod.Day && r.Label == DemographicsRollup.AllFaces && r.CameraId != DemographicsRollup.Site)
            .Select(r => new { r.FogId, r.CameraId }).Distinct().ToListAsync(cancellationToken);
        return ([.. cameras.Select(c => c.FogId).Distinct().Order(StringComparer.Ordinal)], [.. cameras.Select(c => c.CameraId).Distinct().Order(StringComparer.Ordinal)]);
    }

    /// <summary>Every face ever stored, shown or not (the site's daily roll-ups).</summary>
    public async Task<long> FacesTotalAsync(CancellationToken cancellationToken)
    {
        await using var context = db.Create();
        return await context.Rollups.AsNoTracking()
            .Where(r => r.Period == RollupPeriod.Day && r.FogId == DemographicsRollup.Site && r.CameraId == DemographicsRollup.Site && r.Label == DemographicsRollup.AllFaces)
            .SumAsync(r => r.Faces, cancellationToken);
    }

    /// <summary>Windows matching the filter that may be shown (at least Portal:MinFacesShown faces).</summary>
    public IQueryable<DemographicsWindow> Filtered(PortalDbContext context, DemographicsFilter filter) => ShownWindows.Query(context, filter, _minFaces);

    private IReadOnlyList<DemographicsPlan.Segment> Plan(DemographicsFilter filter, RollupPeriod? coarsest)
    {
        var now = time.GetUtcNow();
        var rawKept = now - TimeSpan.FromDays(options.RawRetentionDays);
        var hourlyKept = now - TimeSpan.FromDays(Math.Max(options.HourlyRetentionDays, options.RawRetentionDays));
        return DemographicsPlan.Plan(filter.From, filter.To, coarsest, rawKept, hourlyKept);
    }

    private IQueryable<DemographicsWindow> Windows(PortalDbContext context, DemographicsFilter filter, DemographicsPlan.Segment segment)
    {
        var q = Filtered(context, filter with { From = null, To = null });
        var (start, end) = (segment.Start, segment.End);
        if (start != DateTimeOffset.MinValue)
        {
            q = segment.OpenAtStart ? ShownWindows.Bounded(q.Where(w => w.WindowEnd > start), start, end) : q.Where(w => w.WindowStart >= start);
        }

        return end != DateTimeOffset.MaxValue ? q.Where(w => w.WindowStart < end) : q;
    }

    private static IQueryable<DemographicsRollup> Rollups(PortalDbContext context, DemographicsFilter filter, DemographicsPlan.Segment segment, RollupPeriod period)
    {
        var q = context.Rollups.AsNoTracking().Where(r => r.Period == period);
        var fog = string.IsNullOrEmpty(filter.Fog) ? null : filter.Fog;
        var camera = string.IsNullOrEmpty(filter.Camera) ? null : filter.Camera;
        q = (fog, camera) switch
        {
            (null, null) => q.Where(r => r.FogId == DemographicsRollup.Site && r.CameraId == DemographicsRollup.Site),
            (_, null) => q.Where(r => r.FogId == fog && r.CameraId == DemographicsRollup.Site),
            (null, _) => q.Where(r => r.CameraId == camera), // camera rows only: site and fog rows have no camera
            _ => q.Where(r => r.FogId == fog && r.CameraId == camera),
        };

        var (start, end) = (segment.Start, segment.End);
        if (start != DateTimeOffset.MinValue)
        {
            q = q.Where(r => r.BucketStart >= start);
        }

        return end != DateTimeOffset.MaxValue ? q.Where(r => r.BucketStart < end) : q;
    }

    private static void Bump<TKey>(Dictionary<TKey, long> sums, TKey key, long value)
        where TKey : notnull => sums[key] = sums.GetValueOrDefault(key) + value;
}
