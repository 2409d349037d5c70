using FogLens.CloudPortal.Common;
using FogLens.CloudPortal.Data;
using FogLens.CloudPortal.Retention;
using FogLens.Tests.Shared;
using Microsoft.EntityFrameworkCore;

namespace FogLens.CloudPortal.Tests;

/// <summary>
/// Issue #20 item 3: the hourly and daily roll-ups equal the per-minute windows' aggregates after ingest (a redelivered
/// window counted once), and retention deletes only old windows while the pages still show their totals, on both providers.
/// </summary>
public sealed class RollupTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Ingest_RollupsEqualTheWindowsAggregates_ARedeliveredWindowCountsOnce(string provider)
    {
        var ct = TestContext.Current.CancellationToken;
        var postgres = provider == "postgres" ? await (await PostgresServer.RequireAsync()).CreateDatabaseAsync() : null;
        await using var portal = await PortalHarness.StartAsync(postgres: postgres);
        await using var fog = await TestFog.ConnectAsync(portal.BrokerPort, "fog-a");
        var hour = DemographicsRollups.BucketOf(DateTimeOffset.UtcNow, RollupPeriod.Hour);
        var windows = new[]
        {
            TestFog.Window(fog.NextHeader(), "edge-1", hour.AddHours(-3).AddMinutes(59), ("20-29", 20, 29, 4), ("30-39", 30, 39, 3)),
            TestFog.Window(fog.NextHeader(), "edge-1", hour.AddHours(-2), ("20-29", 20, 29, 6), ("70+", 70, null, 1)),
            TestFog.Window(fog.NextHeader(), "edge-2", hour.AddHours(-2).AddMinutes(7), ("20-29", 20, 29, 1), ("30-39", 30, 39, 1)) with { CameraId = "cam-2" }, // under the threshold
            TestFog.Window(fog.NextHeader(), "edge-2", hour.AddHours(-26), ("30-39", 30, 39, 9)) with { CameraId = "cam-2" },
        };
        foreach (var w in windows)
        {
            Assert.True((await fog.DemographicsAsync(w)).IsSuccess);
        }

        Assert.True((await fog.DemographicsAsync(windows[1])).IsSuccess); // redelivered: same message id
        var counters = portal.Service<PortalCounters>();
        await Eventually.WaitUntil(() => counters.WindowsStored == 4 && counters.Duplicates == 1, Wait, "four windows stored, one duplicate");

        await using var context = portal.Service<PortalDb>().Create();
        var raw = await context.Demographics.AsNoTracking().Include(w => w.Groups).ToListAsync(ct);
        var recomputed = new DemographicsRollups(new PortalOptions().MinFacesShown);
        raw.ForEach(recomputed.Add);
        var expected = recomputed.Drain().Select(Key).Order(StringComparer.Ordinal).ToList();
        var stored = (await context.Rollups.AsNoTracking().ToListAsync(ct)).Select(Key).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, stored);

        // Independently of the roll-up code: sums of the windows as stored.
        var site = await context.Rollups.AsNoTracking().Where(r => r.FogId == DemographicsRollup.Site).ToListAsync(ct);
        foreach (var period in new[] { RollupPeriod.Hour, RollupPeriod.Day })
        {
            Assert.Equal(7 + 7 + 2 + 9, site.Where(r => r.Period == period && r.Label == DemographicsRollup.AllFaces).Sum(r => r.Faces)); // every window
            Assert.Equal(7 + 7 + 9, site.Where(r => r.Period == period && r.Label != DemographicsRollup.AllFaces).Sum(r => r.Faces)); // shown windows only
        }

        Assert.Equal(3, site.Single(r => r.Period == RollupPeriod.Hour && r.BucketStart == hour.AddHours(-3) && r.Label == "30-39").Faces);
        var queries = portal.Service<PortalQueries>();
        var groups = await queries.GroupTotalsAsync(new DemographicsFilter(), ct);
        Assert.Equal([("20-29", 10L), ("30-39", 12L), ("70+", 1L)], groups.Select(g => (g.Label, g.Faces)));
        var rawGroups = raw.Where(w => w.Faces >= 5).SelectMany(w => w.Groups).GroupBy(g => g.Label).ToDictionary(g => g.Key, g => g.Sum(x => (long)x.Count));
        Assert.Equal(rawGroups.OrderBy(g => g.Key, StringComparer.Ordinal), groups.Select(g => KeyValuePair.Create(g.Label, g.Faces)).OrderBy(g => g.Key, StringComparer.Ordinal));
        Assert.Equal(groups, await queries.GroupTotalsAsync(new DemographicsFilter(Fog: "fog-a"), ct));
        Assert.Equal([("30-39", 9L)], (await queries.GroupTotalsAsync(new DemographicsFilter(Camera: "cam-2"), ct)).Select(g => (g.Label, g.Faces)));
        Assert.Equal(25, (await queries.SummaryAsync(ct)).FacesTotal);
        Assert.Equal(["cam-1", "cam-2"], (await queries.FilterChoicesAsync(ct)).Cameras);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Retention_DeletesOnlyOldWindows_PagesStillShowTheirTotalsFromTheRollups(string provider)
    {
        var ct = TestContext.Current.CancellationToken;
        var postgres = provider == "postgres" ? await (await PostgresServer.RequireAsync()).CreateDatabaseAsync() : null;
        await using var portal = await PortalHarness.StartAsync(new() { ["Portal:RawRetentionDays"] = "2", ["Portal:HourlyRetentionDays"] = "4" }, postgres);
        var db = portal.Service<PortalDb>();
        var now = DateTimeOffset.UtcNow;
        var old = now.AddDays(-3).AddMinutes(-17);
        var ancient = now.AddDays(-9);
        await using (var context = db.Create())
        {
            context.Demographics.AddRange(
                Window("cam-1", ancient, 8, ("30-39", 30, 5), ("40-49", 40, 3)),
                Window("cam-1", old, 6, ("20-29", 20, 6)),
                Window("cam-2", old.AddMinutes(1), 2, ("20-29", 20, 2)),
                Window("cam-1", now.AddMinutes(-30), 5, ("20-29", 20, 1), ("30-39", 30, 4)),
                Window("cam-2", now.AddMinutes(-3), 7, ("70+", 70, 7)));
            await DemographicsRollups.SaveWindowsAsync(context, new PortalOptions().MinFacesShown, ct);
        }

        var queries = portal.Service<PortalQueries>();
        var everything = new DemographicsFilter();
        var oldRange = new DemographicsFilter(From: old.AddHours(-5), To: old.AddHours(5));
        var before = (await Totals(queries, everything), await Totals(queries, oldRange), await Totals(queries, everything with { Camera = "cam-1" }),
            await Trend(queries, everything, TimeSpan.FromHours(6)), (await queries.SummaryAsync(ct)).FacesTotal);
        Assert.Equal("20-29=7 30-39=9 40-49=3 70+=7", before.Item1);
        Assert.Equal("20-29=6", before.Item2);
        Assert.Equal(28, before.Item5);

        var (deleted, hourly) = await portal.Service<DemographicsRetention>().RunOnceAsync(ct);

        Assert.Equal(3, deleted);
        Assert.True(hourly > 0);
        await using (var context = db.Create())
        {
            Assert.All(await context.Demographics.AsNoTracking().Select(w => w.WindowStart).ToListAsync(ct), start => Assert.True(start > now.AddHours(-1)));
            Assert.Equal(2, await context.Demographics.CountAsync(ct));
            Assert.Equal(3, await context.AgeGroups.CountAsync(ct));
            Assert.DoesNotContain(await context.Rollups.AsNoTracking().Where(r => r.Period == RollupPeriod.Hour).Select(r => r.BucketStart).ToListAsync(ct), b => b < ancient.AddDays(1));
        }

        var after = (await Totals(queries, everything), await Totals(queries, oldRange), await Totals(queries, everything with { Camera = "cam-1" }),
            await Trend(queries, everything, TimeSpan.FromHours(6)), (await queries.SummaryAsync(ct)).FacesTotal);
        Assert.Equal(before, after);
        Assert.Equal(["cam-1", "cam-2"], (await queries.FilterChoicesAsync(ct)).Cameras);
        Assert.Equal(2, (await queries.WindowsAsync(everything, 1000, ct)).Count);
    }

    private static DemographicsWindow Window(string camera, DateTimeOffset start, int faces, params (string Label, int MinAge, int Count)[] groups) => new()
    {
        MessageId = Guid.NewGuid(), FogId = "fog-a", EdgeId = "edge-" + camera, CameraId = camera, WindowStart = start, WindowEnd = start.AddMinutes(1),
        Faces = faces, ModelVersion = "age-v1", ReceivedAt = start.AddMinutes(1),
        Groups = [.. groups.Select(g => new AgeGroupTally { Label = g.Label, MinAge = g.MinAge, Count = g.Count })],
    };

    private static async Task<string> Totals(PortalQueries queries, DemographicsFilter filter) =>
        string.Join(' ', (await queries.GroupTotalsAsync(filter, TestContext.Current.CancellationToken)).Select(g => $"{g.Label}={g.Faces}"));

    private static async Task<string> Trend(PortalQueries queries, DemographicsFilter filter, TimeSpan bucket) =>
        string.Join(' ', (await queries.TrendAsync(filter, bucket, TestContext.Current.CancellationToken))
            .Select(b => $"{b.Start:O}:" + string.Join(',', b.Faces.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}={f.Value}"))));

    internal static string Key(DemographicsRollup r) => $"{r.Period} {r.BucketStart.UtcTicks} {r.FogId}/{r.CameraId} {r.Label} {r.MinAge} {r.Faces} {r.Windows}";
}
