using System.Globalization;
using FogLens.CloudPortal.Common;
using FogLens.CloudPortal.Data;
using FogLens.Contracts.Messages;
using FogLens.Tests.Shared;
using Microsoft.Extensions.Options;

namespace FogLens.CloudPortal.Tests;

/// <summary>The site level of the filters (site → fog → camera) on a real SQLite store with a fixed clock: a site is the sum of its fogs.</summary>
public sealed class SiteFilterTests : IDisposable
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-12-01T10:07:30Z", CultureInfo.InvariantCulture);
    private readonly TempFolder _folder = TempFolder.Create("foglens-sites-");

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;

        public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
    }

    /// <summary>
    /// fog-1 and fog-2 at site "north", fog-3 at "south", fog-4 an older fog that names no site, fog-5 known only from
    /// its windows; each fog's camera "entrance" (one name at every site) saw faces of its own age group, an hour ago
    /// (per-minute windows) and three days ago (roll-ups only).
    /// </summary>
    private async Task<(PortalQueries Queries, ActivityQueries Activity)> StoreAsync()
    {
        var portal = Options.Create(new PortalOptions { DataDirectory = _folder.Path, MinFacesShown = 1 });
        var db = new PortalDb(Options.Create(new DatabaseOptions()), portal);
        await db.MigrateAsync(TestContext.Current.CancellationToken);
        await using var context = db.Create();
        foreach (var (fog, site) in new[] { ("fog-1", "north"), ("fog-2", "north"), ("fog-3", "south"), ("fog-4", null) })
        {
            context.Nodes.Add(new NodeRecord { Id = fog, Kind = "fog", State = nameof(NodeState.Online), LastSeen = Now, Site = site });
        }

        for (var f = 1; f <= 5; f++)
        {
            foreach (var start in new[] { Now.AddMinutes(-30), Now.AddDays(-3) })
            {
                context.Demographics.Add(new DemographicsWindow
                {
                    MessageId = Guid.NewGuid(), FogId = $"fog-{f}", EdgeId = $"edge-{f}", CameraId = "entrance", WindowStart = start, WindowEnd = start.AddMinutes(1),
                    Faces = f, ModelVersion = "age-v1", ReceivedAt = start,
                    Groups = [new AgeGroupTally { Label = $"{f}0-{f}9", MinAge = f * 10, Count = f }],
                });
            }
        }

        await DemographicsRollups.SaveWindowsAsync(context, portal.Value.MinFacesShown, TestContext.Current.CancellationToken);
        var clock = new FixedClock(Now);
        return (new PortalQueries(db, portal, clock), new ActivityQueries(db, portal, clock));
    }

    private static DemographicsFilter Site(string site, DateTimeOffset? from = null, string? camera = null) => new(Camera: camera, From: from) { Site = site };

    [Fact]
    public async Task GroupTotals_OfASite_SumItsFogs_FromTheRollupsAndTheWindows()
    {
        var (queries, _) = await StoreAsync();
        var ct = TestContext.Current.CancellationToken;

        // Everything (roll-ups) and the last hour (per-minute windows): fog-1 and fog-2, twice and once.
        Assert.Equal([("10-19", 2L), ("20-29", 4L)], (await queries.GroupTotalsAsync(Site("north"), ct)).Select(g => (g.Label, g.Faces)));
        Assert.Equal([("10-19", 1L), ("20-29", 2L)], (await queries.GroupTotalsAsync(Site("north", Now.AddHours(-1)), ct)).Select(g => (g.Label, g.Faces)));
        Assert.Equal([("30-39", 6L)], (await queries.GroupTotalsAsync(Site("south"), ct)).Select(g => (g.Label, g.Faces)));
        // The default site: the fog that names none and the one known only from its windows.
        Assert.Equal([("40-49", 8L), ("50-59", 10L)], (await queries.GroupTotalsAsync(Site(FogStatus.DefaultSite), ct)).Select(g => (g.Label, g.Faces)));
        Assert.Empty(await queries.GroupTotalsAsync(Site("nowhere"), ct));
        // A camera name used at every site: the site keeps its own.
        Assert.Equal([("30-39", 3L)], (await queries.GroupTotalsAsync(Site("south", Now.AddHours(-1), "entrance"), ct)).Select(g => (g.Label, g.Faces)));
        Assert.Equal(["fog-1", "fog-2"], (await queries.WindowsAsync(Site("north"), 100, ct)).Select(w => w.FogId).Distinct().Order());
    }

    [Fact]
    public async Task OverviewViews_OfASite_ShowItsFogsOnly()
    {
        var (_, activity) = await StoreAsync();
        var ct = TestContext.Current.CancellationToken;

        var trend = await activity.TrendAsync(Site("north"), TimeRange.OfPreset("7d"), ct);
        Assert.Equal(6, trend.Totals.Sum(t => t[0]));
        Assert.Equal(["fog-3"], (await activity.HeatmapAsync(Site("south"), ct)).Select(h => h.Fog));
        var mix = await activity.AgeMixAsync(Site("north"), ct);
        Assert.Equal([("10-19", 1L), ("20-29", 2L)], mix.Select(m => (m.Label, m.Now)));

        var scopes = await activity.ScopesAsync(ct);
        Assert.Equal(["default/fog-4", "default/fog-5", "north/fog-1", "north/fog-2", "south/fog-3"], scopes.Select(s => $"{s.Site}/{s.Fog}"));
    }

    public void Dispose() => _folder.Dispose();
}
