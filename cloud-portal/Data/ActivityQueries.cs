using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using FogLens.CloudPortal.Common;

namespace FogLens.CloudPortal.Data;

/// <summary>
/// Faces per age group in every bucket of a time range (Values[bucket][group], groups youngest first), empty buckets
/// included so the time axis spans the range; <see cref="LastPartial"/> when the last bucket is still filling.
/// </summary>
public sealed record RangeTrend(TimeSpan Bucket, IReadOnlyList<DateTimeOffset> Buckets, IReadOnlyList<string> Groups, IReadOnlyList<double[]> Values, bool LastPartial)
{
    /// <summary>Faces per bucket, all groups together.</summary>
    public IReadOnlyList<double[]> Totals => [.. Values.Select(v => new[] { v.Sum() })];
}

/// <summary>One age group's faces in the last hour and in the same hour a day earlier.</summary>
public sealed record AgeMixRow(string Label, int MinAge, long Now, long Yesterday);

/// <summary>Faces of one camera per local day (rows, oldest first) and hour of day (24 columns).</summary>
public sealed record CameraHeatmap(string Fog, string Camera, IReadOnlyList<DateOnly> Days, IReadOnlyList<long[]> Faces);

/// <summary>A fog, the cameras behind it and the site it serves (the filters' hierarchy: site → fog → camera).</summary>
public sealed record FogCameras(string Fog, IReadOnlyList<string> Cameras, string Site = FogLens.Contracts.Messages.FogStatus.DefaultSite);

/// <summary>
/// The activity views of the Overview and Demographics pages: trend over a time range, age mix against yesterday, hour ×
/// day heatmap. The trend, the heatmap and the fog and camera lists read the hourly and daily roll-ups
/// (<see cref="DemographicsReader"/>); the heatmap's hours are UTC hours shown in the portal's time zone.
/// </summary>
public sealed class ActivityQueries(PortalDb db, IOptions<PortalOptions> options, TimeProvider time)
{
    /// <summary>Days the heatmap covers, today included.</summary>
    public const int HeatmapDays = 7;

    private readonly DemographicsReader _reader = new(db, options.Value, time);

    /// <summary>Faces per age group over <paramref name="range"/> for the site, fog and camera of <paramref name="scope"/> (its own time bounds are not used).</summary>
    public async Task<RangeTrend> TrendAsync(DemographicsFilter scope, TimeRange range, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(range);
        var now = time.GetUtcNow();
        var (from, to) = range.Resolve(now);
        var start = from ?? await _reader.EarliestAsync(cancellationToken) ?? now; // everything: from the first stored day
        var bucket = TimeRange.BucketFor(to - start);
        var buckets = TimeRange.Buckets(start, to, bucket);
        var first = TimeRange.Floor(start, bucket);
        var rows = (await _reader.TrendRowsAsync(scope with { From = from, To = to }, bucket, cancellationToken))
            .Where(r => r.Start >= first).ToList(); // each window in the one bucket where it starts
        var groups = rows.GroupBy(r => r.Label).OrderBy(g => g.Min(x => x.MinAge)).Select(g => g.Key).ToList();
        var values = buckets.Select(_ => new double[groups.Count]).ToList();
        foreach (var r in rows)
        {
            var i = (int)((r.Start - first).Ticks / bucket.Ticks);
            if (i < values.Count)
            {
                values[i][groups.IndexOf(r.Label)] += r.Faces;
            }
        }

        return new RangeTrend(bucket, buckets, groups, values, TimeRange.LastBucketPartial(buckets, bucket, to) && to >= now);
    }

    /// <summary>
    /// Faces per age group in the last hour and in the hour that ended 24 hours ago (windows by their start), each from
    /// an hourly roll-up and the minutes where it differs (<see cref="DemographicsReader.HourTotalsAsync"/>), read at the same time
    /// (on two threads: SQLite's reads run synchronously underneath).
    /// </summary>
    public async Task<IReadOnlyList<AgeMixRow>> AgeMixAsync(DemographicsFilter scope, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        scope = await _reader.ResolveAsync(scope with { From = null, To = null }, cancellationToken);
        var thisHourTask = Task.Run(() => GroupsAsync(scope, now.AddHours(-1), cancellationToken), cancellationToken);
        var lastDayTask = Task.Run(() => GroupsAsync(scope, now.AddHours(-25), cancellationToken), cancellationToken);
        var (thisHour, lastDay) = (await thisHourTask, await lastDayTask);
        return [.. thisHour.Keys.Union(lastDay.Keys)
            .Select(k => new AgeMixRow(k.Label, k.MinAge, thisHour.GetValueOrDefault(k), lastDay.GetValueOrDefault(k)))
            .OrderBy(r => r.MinAge)];
    }

    private async Task<Dictionary<(string Label, int MinAge), long>> GroupsAsync(DemographicsFilter scope, DateTimeOffset from, CancellationToken cancellationToken) =>
        (await _reader.HourTotalsAsync(scope, from, cancellationToken)).ToDictionary(g => (g.Label, g.MinAge), g => g.Faces);

    /// <summary>Faces per camera, local day and hour of day over the last <see cref="HeatmapDays"/> days (portal's time zone).</summary>
    public async Task<IReadOnlyList<CameraHeatmap>> HeatmapAsync(DemographicsFilter scope, CancellationToken cancellationToken)
    {
        var zone = time.LocalTimeZone;
        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        var days = Enumerable.Range(0, HeatmapDays).Select(d => today.AddDays(d - HeatmapDays + 1)).ToList();
        var from = TimeRange.Floor(now.AddDays(-HeatmapDays - 1), TimeSpan.FromHours(1)); // wide enough for any offset; days outside are dropped below
        var windows = (await _reader.CameraHoursAsync(scope, from, now.AddHours(1), cancellationToken))
            .Select(h => new { FogId = h.Fog, CameraId = h.Camera, WindowStart = h.Hour, Faces = h.Faces });
        return [.. windows.GroupBy(w => (w.FogId, w.CameraId))
            .OrderBy(g => g.Key.FogId, NaturalStringComparer.Instance).ThenBy(g => g.Key.CameraId, NaturalStringComparer.Instance)
            .Select(g =>
            {
                var faces = days.Select(_ => new long[24]).ToList();
                foreach (var w in g)
                {
                    var local = TimeZoneInfo.ConvertTime(w.WindowStart, zone);
                    var day = days.IndexOf(DateOnly.FromDateTime(local.DateTime));
                    if (day >= 0)
                    {
                        faces[day][local.Hour] += w.Faces;
                    }
                }

                return new CameraHeatmap(g.Key.FogId, g.Key.CameraId, days, faces);
            })
            .Where(h => h.Faces.Any(d => d.Any(n => n > 0)))];
    }

    /// <summary>Fogs with their cameras and sites, from the stored windows and the nodes' last status, in natural order of site and fog.</summary>
    public async Task<IReadOnlyList<FogCameras>> ScopesAsync(CancellationToken cancellationToken)
    {
        var stored = (await _reader.CamerasAsync(cancellationToken)).Select(c => new { FogId = c.Fog, CameraId = c.Camera });
        var sites = await _reader.FogSitesAsync(cancellationToken);
        await using var context = db.Create();
        var edges = await context.Nodes.AsNoTracking().Where(n => n.Kind == "edge" && n.FogId != null && n.CameraId != null)
            .Select(n => new { FogId = n.FogId!, CameraId = n.CameraId! }).ToListAsync(cancellationToken);
        var pairs = stored.Select(p => (p.FogId, CameraId: (string?)p.CameraId))
            .Concat(edges.Select(p => (p.FogId, CameraId: (string?)p.CameraId)))
            .Concat(sites.Keys.Select(f => (FogId: f, CameraId: (string?)null)));
        return [.. pairs
            .GroupBy(p => p.FogId)
            .Select(g => new FogCameras(g.Key, [.. g.Select(p => p.CameraId).OfType<string>().Distinct().Order(NaturalStringComparer.Instance)],
                sites.GetValueOrDefault(g.Key, FogLens.Contracts.Messages.FogStatus.DefaultSite)))
            .OrderBy(f => f.Site, NaturalStringComparer.Instance).ThenBy(f => f.Fog, NaturalStringComparer.Instance)];
    }
}
