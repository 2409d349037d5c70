using System.Globalization;
using FogLens.CloudPortal.Common;
using FogLens.CloudPortal.Data;
using FogLens.Tests.Shared;
using Microsoft.Extensions.Options;

namespace FogLens.CloudPortal.Tests;

/// <summary>The Overview's and Demographics' activity views on a real SQLite store with a fixed clock.</summary>
public sealed class ActivityQueriesTests : IDisposable
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-12-01T10:07:30Z", CultureInfo.InvariantCulture);
    private readonly TempFolder _folder = TempFolder.Create("foglens-activity-");

    private sealed class FixedClock(DateTimeOffset now, TimeZoneInfo zone) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;

        public override TimeZoneInfo LocalTimeZone => zone;
    }

    private Task<ActivityQueries> StoreAsync(TimeZoneInfo zone, params (string Fog, string Camera, DateTimeOffset Start, (string Label, int MinAge, int Count)[] Groups)[] windows) =>
        StoreAtAsync(Now, zone, windows);

    private async Task<ActivityQueries> StoreAtAsync(DateTimeOffset now, TimeZoneInfo zone, params (string Fog, string Camera, DateTimeOffset Start, (string Label, int MinAge, int Count)[] Groups)[] windows)
    {
        var portal = Options.Create(new PortalOptions { DataDirectory = _folder.Path, MinFacesShown = 2 });
        var db = new PortalDb(Options.Create(new DatabaseOptions()), portal);
        await db.MigrateAsync(TestContext.Current.CancellationToken);
        await using var context = db.Create();
        foreach (var (fog, camera, start, groups) in windows)
        {
            context.Demographics.Add(new DemographicsWindow
            {
                MessageId = Guid.NewGuid(), FogId = fog, EdgeId = "edge-1", CameraId = camera, WindowStart = start, WindowEnd = start.AddMinutes(1),
                Faces = groups.Sum(g => g.Count), ModelVersion = "age-v1", ReceivedAt = start,
                Groups = [.. groups.Select(g => new AgeGroupTally { Label = g.Label, MinAge = g.MinAge, Count = g.Count })],
            });
        }

        await DemographicsRollups.SaveWindowsAsync(context, portal.Value.MinFacesShown, TestContext.Current.CancellationToken); // as ingest stores them
        return new ActivityQueries(db, portal, new FixedClock(now, zone));
    }

    [Fact]
    public async Task Trend_FillsEveryBucketOfTheRange_AndMarksOnlyTheCurrentOneAsPartial()
    {
        var q = await StoreAsync(TimeZoneInfo.Utc,
            ("fog-1", "entrance", Now.AddMinutes(-50), [("20-29", 20, 3)]),
            ("fog-1", "entrance", Now.AddMinutes(-49), [("20-29", 20, 2), ("3-9", 3, 1)]),
            ("fog-1", "entrance", Now.AddMinutes(-1), [("20-29", 20, 2)]),
            ("fog-1", "entrance", Now.AddHours(-3), [("20-29", 20, 9)]), // before the range
            ("fog-1", "entrance", Now.AddMinutes(-20), [("20-29", 20, 1)])); // under MinFacesShown

        var trend = await q.TrendAsync(new(), TimeRange.OfPreset("1h"), TestContext.Current.CancellationToken);

        Assert.Equal(TimeSpan.FromMinutes(1), trend.Bucket);
        Assert.Equal(61, trend.Buckets.Count); // 09:07 … 10:07, empty minutes included: the axis is the range
        Assert.Equal(["3-9", "20-29"], trend.Groups); // youngest first
        Assert.True(trend.LastPartial);
        Assert.Equal(8, trend.Totals.Sum(t => t[0]));
        var i = trend.Buckets.ToList().IndexOf(Now.AddMinutes(-49).AddSeconds(-30));
        Assert.Equal([1.0, 2.0], trend.Values[i]);

        var past = await q.TrendAsync(new(), TimeRange.Custom(Now.AddHours(-4), Now.AddHours(-2)), TestContext.Current.CancellationToken);
        Assert.False(past.LastPartial); // a range that ended is complete
        Assert.Equal(9, past.Totals.Sum(t => t[0]));
        Assert.Equal(0, (await q.TrendAsync(new("fog-2"), TimeRange.OfPreset("1h"), TestContext.Current.CancellationToken)).Totals.Sum(t => t[0]));
    }

    [Fact]
    public async Task AgeMix_ComparesTheLastHourWithTheSameHourYesterday()
    {
        var q = await StoreAsync(TimeZoneInfo.Utc,
            ("fog-1", "entrance", Now.AddMinutes(-30), [("20-29", 20, 6), ("60-69", 60, 2)]),
            ("fog-1", "entrance", Now.AddDays(-1).AddMinutes(-30), [("20-29", 20, 2), ("3-9", 3, 4)]),
            ("fog-1", "entrance", Now.AddHours(-12), [("20-29", 20, 50)])); // neither hour

        var mix = await q.AgeMixAsync(new(), TestContext.Current.CancellationToken);

        Assert.Equal(["3-9", "20-29", "60-69"], mix.Select(m => m.Label));
        Assert.Equal([0L, 6, 2], mix.Select(m => m.Now));
        Assert.Equal([4L, 2, 0], mix.Select(m => m.Yesterday));
    }

    [Theory]
    [InlineData("2026-12-01T10:07:30Z")] // the hour before's roll-up, less its first minutes, plus this hour's
    [InlineData("2026-12-01T10:47:30Z")] // this hour's roll-up plus the minutes before it
    public async Task AgeMix_CountsEachWindowOnceByItsStart_WhicheverRollupItStartsFrom(string at)
    {
        var now = DateTimeOffset.Parse(at, CultureInfo.InvariantCulture);
        var day = TimeSpan.FromDays(1);
        (string, string, DateTimeOffset, (string, int, int)[]) Window(DateTimeOffset start, int faces) => ("fog-1", "entrance", start, [("20-29", 20, faces)]);
        var q = await StoreAtAsync(now, TimeZoneInfo.Utc,
            Window(now.AddMinutes(-61), 2), Window(now.AddMinutes(-60), 4), Window(now.AddMinutes(-59), 8), Window(now.AddMinutes(-1), 16),
            Window(now - day - TimeSpan.FromMinutes(61), 32), Window(now - day - TimeSpan.FromMinutes(60), 64), Window(now - day - TimeSpan.FromMinutes(1), 128),
            Window(now - day, 256), Window(now - day + TimeSpan.FromMinutes(20), 512));

        var mix = Assert.Single(await q.AgeMixAsync(new(), TestContext.Current.CancellationToken));

        Assert.Equal((4L + 8 + 16, 64L + 128), (mix.Now, mix.Yesterday));
    }

    [Fact]
    public async Task Heatmap_CountsFacesPerCameraLocalDayAndHour()
    {
        var plusTwo = TimeZoneInfo.CreateCustomTimeZone("test+2", TimeSpan.FromHours(2), "UTC+2", "UTC+2");
        var q = await StoreAsync(plusTwo,
            ("fog-2", "hall", Now.AddMinutes(-5), [("20-29", 20, 4)]), // 10:02 UTC = 12:02 local, today
            ("fog-2", "hall", Now.AddMinutes(-4), [("20-29", 20, 3)]),
            ("fog-1", "entrance", Now.AddDays(-2).AddHours(-9), [("20-29", 20, 5)]), // 01:07 UTC two days ago = 03:07 local
            ("fog-1", "entrance", Now.AddDays(-30), [("20-29", 20, 5)])); // older than the heatmap

        var maps = await q.HeatmapAsync(new(), TestContext.Current.CancellationToken);

        Assert.Equal(["fog-1/entrance", "fog-2/hall"], maps.Select(m => $"{m.Fog}/{m.Camera}"));
        var hall = maps[1];
        Assert.Equal(ActivityQueries.HeatmapDays, hall.Days.Count);
        Assert.Equal(new DateOnly(2026, 12, 1), hall.Days[^1]);
        Assert.Equal(7, hall.Faces[^1][12]);
        Assert.Equal(7, hall.Faces.Sum(d => d.Sum()));
        Assert.Equal(5, maps[0].Faces[^3][3]);
        Assert.Single(await q.HeatmapAsync(new("fog-2"), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Scopes_GroupCamerasUnderTheirFog_InNaturalOrder()
    {
        var q = await StoreAsync(TimeZoneInfo.Utc,
            ("fog-10", "hall", Now, [("20-29", 20, 3)]),
            ("fog-2", "entrance", Now, [("20-29", 20, 3)]),
            ("fog-2", "cam-10", Now, [("20-29", 20, 3)]),
            ("fog-2", "cam-9", Now, [("20-29", 20, 3)]),
            ("fog-10", "entrance", Now, [("20-29", 20, 3)]));

        var scopes = await q.ScopesAsync(TestContext.Current.CancellationToken);

        Assert.Equal(["fog-2", "fog-10"], scopes.Select(s => s.Fog));
        Assert.Equal(["cam-9", "cam-10", "entrance"], scopes[0].Cameras);
        Assert.Equal(["entrance", "hall"], scopes[1].Cameras); // the same camera name under two fogs stays apart
    }

    public void Dispose() => _folder.Dispose();
}
