using FogLens.CloudPortal.Common;
using FogLens.Contracts.Messages;
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

    public Task<IReadOnlyList<GroupTotal>> GroupTotalsAsync(DemographicsFilter filter, CancellationToken cancellationToken) =>
        GroupTotalsAsync(filter, byStart: false, cancellationToken);

    /// <summary>
    /// Faces per age group of the shown windows that start in [From, To) (To null: every window stored so far), read
    /// like <see cref="GroupTotalsAsync(DemographicsFilter, CancellationToken)"/>: whole hours from the roll-ups, the ends from the windows.
    /// </summary>
    public Task<IReadOnlyList<GroupTotal>> GroupTotalsByStartAsync(DemographicsFilter filter, CancellationToken cancellationToken) =>
        GroupTotalsAsync(filter, byStart: true, cancellationToken);

    private async Task<IReadOnlyList<GroupTotal>> GroupTotalsAsync(DemographicsFilter filter, bool byStart, CancellationToken cancellationToken)
    {
        filter = await ResolveAsync(filter, cancellationToken);
        await using var context = db.Create();
        var totals = new Dictionary<(string Label, int MinAge), long>();
        foreach (var planned in Plan(filter, RollupPeriod.Day))
        {
            var segment = byStart ? planned with { OpenAtStart = false } : planned;
            foreach (var g in await SegmentGroupsAsync(context, filter, segment, cancellationToken))
            {
                Bump(totals, (g.Label, g.MinAge), g.Faces);
            }
        }

        return Ordered(totals);
    }

    /// <summary>
    /// Faces per age group of the shown windows that start in [<paramref name="from"/>, <paramref name="from"/> + 1 h)
    /// (the Overview's age mix). Reads the hourly roll-up of the clock hour that overlaps it most and corrects it with
    /// the windows of the minutes where the two differ: at most an hour of windows in all, half an hour on average,
    /// and only as many minutes as reach past the hour when the hour ends now. Where the windows were already deleted,
    /// whole hours as <see cref="GroupTotalsByStartAsync"/> plans them.
    /// </summary>
    public async Task<IReadOnlyList<GroupTotal>> HourTotalsAsync(DemographicsFilter scope, DateTimeOffset from, CancellationToken cancellationToken)
    {
        var hour = DemographicsPlan.Floor(from, RollupPeriod.Hour);
        var now = time.GetUtcNow();
        var to = from + TimeSpan.FromHours(1);
        if (hour < now - TimeSpan.FromDays(options.RawRetentionDays))
        {
            return await GroupTotalsByStartAsync(scope with { From = from, To = to }, cancellationToken);
        }

        scope = await ResolveAsync(scope, cancellationToken);
        var late = from - hour > TimeSpan.FromMinutes(30);
        var bucket = late ? hour.AddHours(1) : hour;
        var (add, subtract) = late ? ((from, bucket), (to, bucket.AddHours(1))) : ((bucket.AddHours(1), to), (bucket, from));
        await using var context = db.Create();
        var totals = new Dictionary<(string Label, int MinAge), long>();
        foreach (var (start, end, sign) in new[] { (bucket, bucket.AddHours(1), 1L), (add.Item1, add.Item2, 1L), (subtract.Item1, subtract.Item2, -1L) })
        {
            // Nothing starts after now: a range reaching past it is its hour's roll-up so far when it starts on the hour.
            var segment = end >= now && start == DemographicsPlan.Floor(start, RollupPeriod.Hour) && start != bucket
                ? new DemographicsPlan.Segment(RollupPeriod.Hour, start, start.AddHours(1))
                : new DemographicsPlan.Segment(start == bucket && end == bucket.AddHours(1) ? RollupPeriod.Hour : null, start, end);
            if (start < end && start < now)
            {
                foreach (var g in await SegmentGroupsAsync(context, scope, segment, cancellationToken))
                {
                    Bump(totals, (g.Label, g.MinAge), sign * g.Faces);
                }
            }
        }

        return Ordered(totals.Where(t => t.Value > 0).ToDictionary()); // a threshold changed since the roll-up was counted
    }

    private async Task<IReadOnlyList<GroupTotal>> SegmentGroupsAsync(PortalDbContext context, DemographicsFilter filter, DemographicsPlan.Segment segment, CancellationToken cancellationToken)
    {
        if (segment.Period is { } period)
        {
            return await Rollups(context, filter, segment, period).Where(r => r.Label != DemographicsRollup.AllFaces)
                .GroupBy(r => new { r.Label, r.MinAge }).Select(g => new GroupTotal(g.Key.Label, g.Key.MinAge, g.Sum(r => r.Faces)))
                .ToListAsync(cancellationToken);
        }

        return await (from w in Windows(context, filter, segment) join g in context.AgeGroups on w.Id equals g.WindowId
                      group g by new { g.Label, g.MinAge } into x
                      select new GroupTotal(x.Key.Label, x.Key.MinAge, x.Sum(y => (long)y.Count))).ToListAsync(cancellationToken);
    }

    private static List<GroupTotal> Ordered(Dictionary<(string Label, int MinAge), long> totals) =>
        [.. totals.OrderBy(t => t.Key.MinAge).ThenBy(t => t.Key.Label, StringComparer.Ordinal).Select(t => new GroupTotal(t.Key.Label, t.Key.MinAge, t.Value))];

    /// <summary>Faces per age group per time bucket (windows counted in the bucket where they start).</summary>
    public async Task<IReadOnlyList<TrendBucket>> TrendAsync(DemographicsFilter filter, TimeSpan bucket, CancellationToken cancellationToken) =>
        [.. (await TrendRowsAsync(filter, bucket, cancellationToken)).GroupBy(r => r.Start)
            .Select(b => new TrendBucket(b.Key, b.ToDictionary(r => r.Label, r => r.Faces)))];

    /// <summary>Faces per bucket and age group (bucket order, then youngest group first).</summary>
    public async Task<IReadOnlyList<(DateTimeOffset Start, string Label, int MinAge, long Faces)>> TrendRowsAsync(DemographicsFilter filter, TimeSpan bucket, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(bucket, TimeSpan.Zero);
        filter = await ResolveAsync(filter, cancellationToken);
        RollupPeriod? coarsest = bucket.Ticks % TimeSpan.TicksPerDay == 0 ? RollupPeriod.Day
            : bucket.Ticks % TimeSpan.TicksPerHour == 0 && TimeSpan.TicksPerDay % bucket.Ticks == 0 ? RollupPeriod.Hour : null;
        await using var context = db.Create();
        var sums = new Dictionary<(long Bucket, string Label, int MinAge), long>();
        void Add(DateTimeOffset start, string label, int minAge, long faces) => Bump(sums, (start.UtcTicks / bucket.Ticks, label, minAge), faces);
        foreach (var segment in Plan(filter, coarsest))
        {
            if (segment.Period is { } period)
            {
                var rows = await Rollups(context, filter, segment, period).Where(r => r.Label != DemographicsRollup.AllFaces)
                    .GroupBy(r => new { r.BucketStart, r.Label, r.MinAge }).Select(g => new { g.Key.BucketStart, g.Key.Label, g.Key.MinAge, Faces = g.Sum(r => r.Faces) })
                    .ToListAsync(cancellationToken);
                rows.ForEach(r => Add(r.BucketStart, r.Label, r.MinAge, r.Faces));
            }
            else
            {
                // Grouped by label first: grouping by start first makes SQLite walk the whole start index in order
                // instead of reading the few windows the end index finds (the last hour: 6,000 windows of 100 cameras).
                var rows = await (from w in Windows(context, filter, segment) join g in context.AgeGroups on w.Id equals g.WindowId
                                  group g by new { g.Label, g.MinAge, w.WindowStart } into x
                                  select new { x.Key.WindowStart, x.Key.Label, x.Key.MinAge, Faces = x.Sum(y => (long)y.Count) }).ToListAsync(cancellationToken);
                rows.ForEach(r => Add(r.WindowStart, r.Label, r.MinAge, r.Faces));
            }
        }

        return [.. sums.OrderBy(s => s.Key.Bucket).ThenBy(s => s.Key.MinAge).ThenBy(s => s.Key.Label, StringComparer.Ordinal)
            .Select(s => (new DateTimeOffset(s.Key.Bucket * bucket.Ticks, TimeSpan.Zero), s.Key.Label, s.Key.MinAge, s.Value))];
    }

    /// <summary>Faces of the shown windows per camera and hour (hourly camera roll-ups) starting in [from, to).</summary>
    public async Task<IReadOnlyList<(string Fog, string Camera, DateTimeOffset Hour, long Faces)>> CameraHoursAsync(DemographicsFilter filter, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        filter = await ResolveAsync(filter, cancellationToken);
        await using var context = db.Create();
        var q = context.Rollups.AsNoTracking().Where(r => r.Period == RollupPeriod.Hour && r.Label == DemographicsRollup.AllFaces
            && r.CameraId != DemographicsRollup.Site && r.BucketStart >= from && r.BucketStart < to && r.ShownFaces > 0);
        q = filter.SiteFogs is { } fogs ? q.Where(r => fogs.Contains(r.FogId)) : q;
        q = string.IsNullOrEmpty(filter.Fog) ? q : q.Where(r => r.FogId == filter.Fog);
        q = string.IsNullOrEmpty(filter.Camera) ? q : q.Where(r => r.CameraId == filter.Camera);
        var rows = await q.Select(r => new { r.FogId, r.CameraId, r.BucketStart, r.ShownFaces }).ToListAsync(cancellationToken);
        return [.. rows.Select(r => (r.FogId, r.CameraId, r.BucketStart, r.ShownFaces))];
    }

    /// <summary>Start of the earliest stored daily roll-up (null: nothing stored).</summary>
    public async Task<DateTimeOffset?> EarliestAsync(CancellationToken cancellationToken)
    {
        await using var context = db.Create();
        return await context.Rollups.AsNoTracking().Where(r => r.Period == RollupPeriod.Day && r.FogId == DemographicsRollup.Site)
            .OrderBy(r => r.BucketStart).Select(r => (DateTimeOffset?)r.BucketStart).FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>Fogs and cameras that ever reported (from the daily roll-ups: one row per camera and day).</summary>
    public async Task<(IReadOnlyList<string> Fogs, IReadOnlyList<string> Cameras)> FilterChoicesAsync(CancellationToken cancellationToken)
    {
        var cameras = await CamerasAsync(cancellationToken);
        return ([.. cameras.Select(c => c.Fog).Distinct().Order(StringComparer.Ordinal)], [.. cameras.Select(c => c.Camera).Distinct().Order(StringComparer.Ordinal)]);
    }

    /// <summary>Every (fog, camera) that ever reported a window.</summary>
    public async Task<IReadOnlyList<(string Fog, string Camera)>> CamerasAsync(CancellationToken cancellationToken)
    {
        await using var context = db.Create();
        var cameras = await context.Rollups.AsNoTracking()
            .Where(r => r.Period == RollupPeriod.Day && r.Label == DemographicsRollup.AllFaces && r.CameraId != DemographicsRollup.Site)
            .Select(r => new { r.FogId, r.CameraId }).Distinct().ToListAsync(cancellationToken);
        return [.. cameras.Select(c => (c.FogId, c.CameraId))];
    }

    /// <summary>Every face ever stored, shown or not (the site's daily roll-ups).</summary>
    public async Task<long> FacesTotalAsync(CancellationToken cancellationToken)
    {
        await using var context = db.Create();
        return await context.Rollups.AsNoTracking()
            .Where(r => r.Period == RollupPeriod.Day && r.FogId == DemographicsRollup.Site && r.CameraId == DemographicsRollup.Site && r.Label == DemographicsRollup.AllFaces)
            .SumAsync(r => r.Faces, cancellationToken);
    }

    /// <summary>The filter with the fogs of its site looked up (<see cref="SiteFogsAsync"/>); as it is without a site.</summary>
    public async Task<DemographicsFilter> ResolveAsync(DemographicsFilter filter, CancellationToken cancellationToken) =>
        string.IsNullOrEmpty(filter.Site) || filter.SiteFogs is not null ? filter : filter with { SiteFogs = await SiteFogsAsync(filter.Site, cancellationToken) };

    /// <summary>
    /// The fogs of a site: those whose status names it; for the default site also those that name none (older fogs)
    /// and those known only from their windows.
    /// </summary>
    public async Task<IReadOnlyList<string>> SiteFogsAsync(string site, CancellationToken cancellationToken)
    {
        var sites = await FogSitesAsync(cancellationToken);
        if (site != FogStatus.DefaultSite)
        {
            return [.. sites.Where(kv => kv.Value == site).Select(kv => kv.Key)];
        }

        var stored = (await CamerasAsync(cancellationToken)).Select(c => c.Fog);
        return [.. stored.Concat(sites.Keys).Distinct().Where(f => sites.GetValueOrDefault(f, FogStatus.DefaultSite) == FogStatus.DefaultSite)];
    }

    /// <summary>Each fog that sent a status and its site (the default site when it named none).</summary>
    public async Task<Dictionary<string, string>> FogSitesAsync(CancellationToken cancellationToken)
    {
        await using var context = db.Create();
        var fogs = await context.Nodes.AsNoTracking().Where(n => n.Kind == "fog").Select(n => new { n.Id, n.Site }).ToListAsync(cancellationToken);
        return fogs.ToDictionary(f => f.Id, f => f.Site ?? FogStatus.DefaultSite, StringComparer.Ordinal);
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
            (null, null) when filter.SiteFogs is not null => q.Where(r => r.CameraId == DemographicsRollup.Site), // the fogs' rows, below
            (null, null) => q.Where(r => r.FogId == DemographicsRollup.Site && r.CameraId == DemographicsRollup.Site),
            (_, null) => q.Where(r => r.FogId == fog && r.CameraId == DemographicsRollup.Site),
            (null, _) => q.Where(r => r.CameraId == camera), // camera rows only: site and fog rows have no camera
            _ => q.Where(r => r.FogId == fog && r.CameraId == camera),
        };
        if (filter.SiteFogs is { } fogs)
        {
            q = q.Where(r => fogs.Contains(r.FogId)); // a site: the sum of its fogs' rows
        }

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
