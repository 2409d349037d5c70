using FogLens.CloudPortal.Broker;
using FogLens.CloudPortal.Common;
using FogLens.CloudPortal.Data;
using FogLens.Messaging.Inbound;
using FogLens.Tests.Shared;
using Microsoft.EntityFrameworkCore;

namespace FogLens.CloudPortal.Tests;

/// <summary>
/// The window store's batches on both providers: windows stored before (a redelivery), new ones and the same new one
/// twice, handed over at once, each get their own outcome, and what is stored (windows, groups, roll-ups) counts every
/// window once. On PostgreSQL the batch is stored with <c>unnest</c> and <c>ON CONFLICT DO NOTHING</c>
/// (<see cref="PostgresWindowStore"/>), on SQLite through EF Core with the one-by-one retry.
/// </summary>
public sealed class WindowBatcherTests
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Batch_OfStoredNewAndRepeatedWindows_StoresEachOnce_AndTellsEachSenderItsOutcome(string provider)
    {
        var ct = TestContext.Current.CancellationToken;
        var postgres = provider == "postgres" ? await (await PostgresServer.RequireAsync()).CreateDatabaseAsync() : null;
        await using var portal = await PortalHarness.StartAsync(postgres: postgres);
        await using var fog = await TestFog.ConnectAsync(portal.BrokerPort, "fog-a");
        var batcher = portal.Service<WindowBatcher>();
        var start = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 1800); // whole seconds: both providers keep them exactly
        var before = TestFog.Window(fog.NextHeader(), "edge-1", start, ("20-29", 20, 29, 4), ("30-39", 30, 39, 3));
        Assert.Equal(IngestOutcome.Stored, await batcher.StoreAsync("t", "fog-a", before, DateTimeOffset.UtcNow, ct));

        var fresh = Enumerable.Range(1, 40)
            .Select(i => TestFog.Window(fog.NextHeader(), $"edge-{i % 7}", start.AddMinutes(i % 5), ("20-29", 20, 29, i), ("70+", 70, null, 2)) with { CameraId = $"cam-{i % 7}" })
            .ToList();
        var handedOver = fresh.Append(before).Append(fresh[3]).Append(fresh[17]).ToList();
        var outcomes = await Task.WhenAll(handedOver.Select(w => batcher.StoreAsync("t", "fog-a", w, DateTimeOffset.UtcNow, ct)));

        Assert.Equal(40, outcomes.Count(o => o == IngestOutcome.Stored));
        Assert.Equal(3, outcomes.Count(o => o == IngestOutcome.Duplicate));
        await using var context = portal.Service<PortalDb>().Create();
        var stored = await context.Demographics.AsNoTracking().Include(w => w.Groups).ToListAsync(ct);
        Assert.Equal(41, stored.Count);
        Assert.Equal(fresh.Select(w => w.Header.MessageId).Append(before.Header.MessageId).Order(), stored.Select(w => w.MessageId).Order());
        Assert.All(stored, w => Assert.Equal(2, w.Groups.Count));
        Assert.Equal(fresh.Sum(w => w.Faces) + before.Faces, stored.Sum(w => w.Faces));
        var one = stored.Single(w => w.MessageId == fresh[5].Header.MessageId);
        Assert.Equal((fresh[5].EdgeId, fresh[5].CameraId, fresh[5].WindowStart.UtcTicks, fresh[5].Faces), (one.EdgeId, one.CameraId, one.WindowStart.UtcTicks, one.Faces));
        Assert.Equal([("20-29", 20, 6), ("70+", 70, 2)], one.Groups.OrderBy(g => g.Label, StringComparer.Ordinal).Select(g => (g.Label, g.MinAge, g.Count)));

        var recomputed = new DemographicsRollups(new PortalOptions().MinFacesShown);
        stored.ForEach(recomputed.Add);
        var expected = recomputed.Drain().Select(RollupTests.Key).Order(StringComparer.Ordinal);
        Assert.Equal(expected, (await context.Rollups.AsNoTracking().ToListAsync(ct)).Select(RollupTests.Key).Order(StringComparer.Ordinal));
        Assert.Equal(40, portal.Service<PortalCounters>().WindowsStored - 1);
    }

    [Fact]
    public async Task LiveWindow_QueuedBehindABacklog_IsStoredBeforeMostOfTheLateOnes()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var portal = await PortalHarness.StartAsync();
        await using var fog = await TestFog.ConnectAsync(portal.BrokerPort, "fog-a");
        var batcher = portal.Service<WindowBatcher>();
        var start = DateTimeOffset.UtcNow.AddHours(-2);
        var lateStored = 0;
        var late = Enumerable.Range(0, 1000)
            .Select(i => StoreLate(TestFog.Window(fog.NextHeader(), $"edge-{i % 10}", start.AddMinutes(i / 10), ("20-29", 20, 29, 6))))
            .ToList();
        var live = await batcher.StoreAsync("t", "fog-a", TestFog.Window(fog.NextHeader(), "edge-live", DateTimeOffset.UtcNow.AddMinutes(-1), ("30-39", 30, 39, 6)), DateTimeOffset.UtcNow, ct);
        var lateBeforeLive = Volatile.Read(ref lateStored);
        await Task.WhenAll(late);

        Assert.Equal(IngestOutcome.Stored, live);
        Assert.Equal(1000, lateStored);
        // The writer may already be storing a batch of late windows when the live one arrives, and its batch may have
        // room for late ones: at most two batches' worth go first (a single queue would have stored all 1,000 first).
        Assert.InRange(lateBeforeLive, 0, 2 * WindowBatcher.MaxBatch);

        async Task StoreLate(Contracts.Messages.FogDemographics window)
        {
            Assert.Equal(IngestOutcome.Stored, await batcher.StoreAsync("t", "fog-a", window, DateTimeOffset.UtcNow, ct, WindowLane.Late));
            Interlocked.Increment(ref lateStored);
        }
    }
}
