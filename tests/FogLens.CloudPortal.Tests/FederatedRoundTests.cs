using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FogLens.AgeModel.Training;
using FogLens.CloudPortal.Data;
using FogLens.CloudPortal.Rounds;
using FogLens.Compression;
using FogLens.Contracts.Messages;
using FogLens.Federated;
using FogLens.Tests.Shared;
using Microsoft.EntityFrameworkCore;
using FogLens.CloudPortal.Common;

namespace FogLens.CloudPortal.Tests;

/// <summary>Round lifecycle with test fogs sending real codec payloads: aggregation, quorum and deadline, rejection, restart.</summary>
public sealed class FederatedRoundTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private static async Task<TrainingRound> RoundAsync(PortalHarness portal, long id)
    {
        await using var db = portal.Service<PortalDb>().Create();
        return await db.Rounds.AsNoTracking().FirstAsync(r => r.Id == id, TestContext.Current.CancellationToken);
    }

    private static async Task<List<RoundUpdate>> UpdatesAsync(PortalHarness portal)
    {
        await using var db = portal.Service<PortalDb>().Create();
        return await db.Updates.AsNoTracking().ToListAsync(TestContext.Current.CancellationToken);
    }

    private static async Task WaitForStateAsync(PortalHarness portal, long id, RoundState state)
    {
        var deadline = DateTime.UtcNow + Wait;
        while ((await RoundAsync(portal, id)).State != state)
        {
            Assert.True(DateTime.UtcNow < deadline, $"round {id} did not become {state}: {(await RoundAsync(portal, id)).Outcome}");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    private static async Task<long> StartRoundAsync(PortalHarness portal, params TestFog[] fogs)
    {
        foreach (var fog in fogs)
        {
            await fog.StatusAsync(localSamples: fog.Id == "fog-a" ? 300 : 100);
        }

        await Eventually.WaitUntil(() => portal.Service<PortalCounters>().StatusMessages >= fogs.Length, Wait, "fog status stored");
        using var admin = await portal.ClientAsync("admin");
        var response = await admin.PostAsync("/api/rounds", null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetInt64();
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Round_AggregatesSbcUpdatesByFedAvg_UnevaluatedIsNotPromoted_AdminPromotesAndRollsBack(string provider)
    {
        var postgres = provider == "postgres" ? await (await PostgresServer.RequireAsync()).CreateDatabaseAsync() : null;
        await using var portal = await PortalHarness.StartAsync(postgres: postgres);
        await using var a = await TestFog.ConnectAsync(portal.BrokerPort, "fog-a");
        await using var b = await TestFog.ConnectAsync(portal.BrokerPort, "fog-b");
        var id = await StartRoundAsync(portal, a, b);

        await Eventually.WaitUntil(() => !a.Tasks.IsEmpty && !b.Tasks.IsEmpty, Wait, "round task received by both fogs");
        Assert.True(a.Tasks.TryPeek(out var task));
        Assert.Equal(id, task.RoundId);
        Assert.Equal(["fog-a", "fog-b"], task.Participants);
        Assert.Equal("sbc", task.Codec);
        await Updates.DownloadCheckedAsync(task);

        var payloadA = Updates.Encode("sbc", Updates.Random(1));
        var payloadB = Updates.Encode("sbc", Updates.Random(2));
        Assert.True((await a.UpdateAsync(task, payloadA, 300)).IsSuccess);
        Assert.True((await b.UpdateAsync(task, payloadB, 100)).IsSuccess);
        await WaitForStateAsync(portal, id, RoundState.Completed);

        var round = await RoundAsync(portal, id);
        Assert.Equal($"fl-r{id}", round.ResultVersion);
        Assert.Equal(2, round.Accepted);
        Assert.Equal(payloadA.Length + payloadB.Length, round.UploadBytes);
        Assert.Equal(2 * Updates.BaseState.ElementCount * 4, round.DenseUploadBytes);
        Assert.True(round.DenseUploadBytes / (double)round.UploadBytes > 100, "SBC at p = 0.01 is over 100× smaller than dense");

        // The new weights are exactly base + (300·Δa + 100·Δb) / 400 over the decoded sparse updates (variances: × e^that).
        var registry = portal.Service<ModelRegistry>();
        var result = ModelState.Load(Updates.Config, registry.FilePath(round.ResultVersion!, "weights")!);
        var da = UpdateDecoder.Decode(payloadA);
        var db = UpdateDecoder.Decode(payloadB);
        for (var t = 0; t < result.Specs.Count; t += 7)
        {
            var expected = (float[])Updates.BaseState.Values[t].Clone();
            var sum = new float[expected.Length];
            da.Tensors[t].AddTo(sum, 300);
            db.Tensors[t].AddTo(sum, 100);
            UpdateSpace.Apply(result.Specs[t].Name, expected, [.. sum.Select(x => x / 400f)]); // additive, or a factor for running variances
            for (var i = 0; i < expected.Length; i++)
            {
                Assert.Equal(expected[i], result.Values[t][i], 1e-5f);
            }
        }

        // No evaluation set in this harness: a model nobody measured is registered but never promoted automatically.
        using var viewer = await portal.ClientAsync("viewer");
        var models = await viewer.GetFromJsonAsync<List<ModelVersionRecord>>("/api/models", TestContext.Current.CancellationToken);
        Assert.Equal("age-v2", models!.Single(m => m.IsCurrent).Version);
        Assert.Equal("age-v2", models!.Single(m => m.Version == round.ResultVersion).ParentVersion);

        // The shipped base's parent (models/age/age-v1-cam) is registered beside it: the history shows both.
        Assert.Equal("age-v1-cam", models!.Single(m => m.Version == "age-v2").ParentVersion);
        Assert.Equal(("base", false), models!.Where(m => m.Version == "age-v1-cam").Select(m => (m.Source, m.IsCurrent)).Single());
        Assert.Contains("not promoted: not evaluated", round.Outcome, StringComparison.Ordinal);

        // The Admin promotes it by hand: it becomes current, pinned, and is announced with a verifiable file.
        using var admin = await portal.ClientAsync("admin");
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/models/{round.ResultVersion}/promote", null, TestContext.Current.CancellationToken)).StatusCode);
        await Eventually.WaitUntil(() => a.Announcements.Any(x => x.ModelVersion == round.ResultVersion), Wait, "announcement of the new version");
        var announcement = a.Announcements.Last(x => x.ModelVersion == round.ResultVersion);
        using var http = new HttpClient();
        var onnx = await http.GetByteArrayAsync(announcement.OnnxUri, TestContext.Current.CancellationToken);
        Assert.Equal(announcement.OnnxSha256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(onnx)));
        models = await viewer.GetFromJsonAsync<List<ModelVersionRecord>>("/api/models", TestContext.Current.CancellationToken);
        Assert.Equal((round.ResultVersion, "admin"), models!.Where(m => m.IsCurrent).Select(m => (m.Version, m.PinnedBy)).Single());

        // Roll back: the old version becomes current again (pinned) and is announced; releasing the pin clears it.
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/api/models/age-v2/promote", null, TestContext.Current.CancellationToken)).StatusCode);
        await Eventually.WaitUntil(() => a.Announcements.Count(x => x.ModelVersion == "age-v2") >= 2, Wait, "announcement of the rollback");
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/api/models/release-pin", null, TestContext.Current.CancellationToken)).StatusCode);
        models = await viewer.GetFromJsonAsync<List<ModelVersionRecord>>("/api/models", TestContext.Current.CancellationToken);
        Assert.Equal(("age-v2", (string?)null), models!.Where(m => m.IsCurrent).Select(m => (m.Version, m.PinnedBy)).Single());
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync("/api/models/release-pin", null, TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task NewModel_GoesOutAsADelta_ThatRebuildsTheHeldModel_AndTheRoundCountsWhatFogsDownloaded()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var portal = await PortalHarness.StartAsync();
        await using var a = await TestFog.ConnectAsync(portal.BrokerPort, "fog-a");
        await using var b = await TestFog.ConnectAsync(portal.BrokerPort, "fog-b");
        var id = await StartRoundAsync(portal, a, b);
        await Eventually.WaitUntil(() => !a.Tasks.IsEmpty && !b.Tasks.IsEmpty, Wait, "round task received by both fogs");
        Assert.True(a.Tasks.TryDequeue(out var task));

        // Round 1 starts from the base, which fogs ship with: the task names its fingerprint and no deltas.
        var baseFingerprint = ModelBroadcast.Fingerprint(Updates.BaseState);
        Assert.Equal(baseFingerprint, task.Broadcast?.Fingerprint);
        Assert.Empty(task.Broadcast!.Links);
        var whole = await Updates.DownloadCheckedAsync(task);

        // Fog a held the base (downloaded nothing), fog b fetched the whole file: the round counts what they report.
        Assert.True((await a.UpdateAsync(task, Updates.Encode("sbc", Updates.Random(1)), 300, downloadBytes: 0)).IsSuccess);
        Assert.True((await b.UpdateAsync(task, Updates.Encode("sbc", Updates.Random(2)), 100, downloadBytes: whole.Length)).IsSuccess);
        await WaitForStateAsync(portal, id, RoundState.Completed);
        var round = await RoundAsync(portal, id);
        Assert.Equal((long)whole.Length, round.DownloadBytes);
        Assert.Equal(2L * whole.Length, round.FullDownloadBytes);

        // The new version goes out as a top-k delta from the base: a small fraction of the model, and applying it to
        // the base gives exactly the model the portal says fogs hold.
        await using (var context = portal.Service<PortalDb>().Create())
        {
            var model = await context.Models.AsNoTracking().SingleAsync(m => m.Version == round.ResultVersion, ct);
            Assert.Equal(baseFingerprint, (await context.Models.AsNoTracking().SingleAsync(m => m.Version == "age-v2", ct)).BroadcastFingerprint);
            Assert.InRange(model.DeltaBytes!.Value, 1, model.WeightsBytes / 20);
            var registry = portal.Service<ModelRegistry>();
            var delta = await File.ReadAllBytesAsync(registry.FilePath(model.Version, "delta")!, ct);
            Assert.Equal(model.DeltaSha256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(delta)));
            var rebuilt = ModelBroadcast.Apply(Updates.BaseState, delta);
            Assert.Equal(model.BroadcastFingerprint, ModelBroadcast.Fingerprint(rebuilt));
            Assert.Equal(model.BroadcastFingerprint, ModelBroadcast.Fingerprint(ModelState.Load(Updates.Config, registry.FilePath(model.Version, "broadcast")!)));

            // The version has an int8 graph too (the base's calibrated scales; only the head changed), announced for int8 fogs.
            using (var int8 = new FogLens.AgeModel.Inference.AgeEstimator(registry.FilePath(model.Version, "onnx-int8")!, 1))
            {
                Assert.Equal((FogLens.AgeModel.AgeModelPrecision.Int8, model.Version), (int8.Precision, int8.ModelVersion));
            }

            // Once it is current, the next round's task lists the delta (base → new), so fogs that hold the base fetch only it.
            using var admin = await portal.ClientAsync("admin");
            Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/models/{model.Version}/promote", null, ct)).StatusCode);
            var next = await StartRoundAsync(portal, a, b);
            RoundTask? second = null;
            await Eventually.WaitUntil(() => a.Tasks.TryDequeue(out second) && second.RoundId == next, Wait, "second round's task");
            var link = Assert.Single(second!.Broadcast!.Links);
            Assert.Equal(("age-v2", baseFingerprint, model.Version, model.BroadcastFingerprint, model.DeltaSha256), (link.Parent, link.ParentFingerprint, link.Version, link.Fingerprint, link.Sha256));
            using var http = new HttpClient();
            Assert.Equal(delta, await http.GetByteArrayAsync(link.Uri, ct));
            Assert.Equal(model.BroadcastSha256, second.ModelSha256);
            Assert.EndsWith("/broadcast", second.ModelUri.AbsolutePath, StringComparison.Ordinal);
            await Eventually.WaitUntil(() => a.Announcements.Any(x => x.ModelVersion == model.Version), Wait, "announcement of the promoted version");
            var announcement = a.Announcements.Last(x => x.ModelVersion == model.Version);
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await http.GetByteArrayAsync(announcement.Int8OnnxUri!, ct))), announcement.Int8OnnxSha256);
        }
    }

    [Fact]
    public async Task Round_WithoutQuorumByTheDeadline_Fails_AndLateUpdateIsDropped()
    {
        await using var portal = await PortalHarness.StartAsync(new() { ["Federated:MinQuorum"] = "2", ["Federated:Deadline"] = "00:00:03" });
        await using var a = await TestFog.ConnectAsync(portal.BrokerPort, "fog-a");
        await using var b = await TestFog.ConnectAsync(portal.BrokerPort, "fog-b");
        var id = await StartRoundAsync(portal, a, b);
        await Eventually.WaitUntil(() => !a.Tasks.IsEmpty, Wait, "round task");
        a.Tasks.TryPeek(out var task);
        Assert.True((await a.UpdateAsync(task!, Updates.Encode("sbc", Updates.Random(1)), 300)).IsSuccess);
        await WaitForStateAsync(portal, id, RoundState.Failed);
        Assert.Contains("quorum not reached: 1 of 2", (await RoundAsync(portal, id)).Outcome, StringComparison.Ordinal);

        Assert.True((await b.UpdateAsync(task!, Updates.Encode("sbc", Updates.Random(2)), 100)).IsSuccess);
        await Eventually.WaitUntil(() => portal.Service<PortalCounters>().UpdatesLate == 1, Wait, "late update recorded");
        var late = (await UpdatesAsync(portal)).Single(u => u.FogId == "fog-b");
        Assert.Equal(UpdateStatus.Late, late.Status);
        Assert.Null(late.PayloadPath);
        using var viewer = await portal.ClientAsync("viewer");
        Assert.Equal("age-v2", (await viewer.GetFromJsonAsync<List<ModelVersionRecord>>("/api/models", TestContext.Current.CancellationToken))!.Single(m => m.IsCurrent).Version);
    }

    [Fact]
    public async Task Round_RejectsNonFiniteHugeAndForeignUpdates_AndUsesTheRest()
    {
        await using var portal = await PortalHarness.StartAsync(new() { ["Federated:Codec"] = "dense" });
        await using var a = await TestFog.ConnectAsync(portal.BrokerPort, "fog-a");
        await using var b = await TestFog.ConnectAsync(portal.BrokerPort, "fog-b");
        var id = await StartRoundAsync(portal, a, b);
        await Eventually.WaitUntil(() => !a.Tasks.IsEmpty, Wait, "round task");
        a.Tasks.TryPeek(out var task);

        // fog-b: a NaN smuggled into a dense payload (CRC repaired so only the value check can catch it).
        var nan = Updates.Encode("dense", Updates.Random(3));
        var at = nan.Length - 64;
        BitConverter.GetBytes(float.NaN).CopyTo(nan, at);
        nan = FogLens.Compression.Tests.PayloadTampering.WithFixedCrc(nan);
        Assert.Equal(MQTTnet.MqttClientPublishReasonCode.PayloadFormatInvalid, (await b.UpdateAsync(task!, nan, 100)).ReasonCode);
        // fog-a: an update far too large to be honest (norm ≫ RejectNorm).
        var huge = Updates.Encode("dense", Updates.Random(4, scale: 100f));
        Assert.Equal(MQTTnet.MqttClientPublishReasonCode.PayloadFormatInvalid, (await a.UpdateAsync(task!, huge, 300)).ReasonCode);
        await WaitForStateAsync(portal, id, RoundState.Failed);
        var updates = await UpdatesAsync(portal);
        Assert.All(updates, u => Assert.Equal(UpdateStatus.Rejected, u.Status));
        Assert.Contains("NonFinite", updates.Single(u => u.FogId == "fog-b").Reason, StringComparison.Ordinal);
        Assert.Contains("RejectNorm", updates.Single(u => u.FogId == "fog-a").Reason, StringComparison.Ordinal);
        Assert.Equal(2, portal.Service<PortalCounters>().UpdatesRejected);
        Assert.Equal(HttpStatusCode.OK, (await (await portal.ClientAsync(null)).GetAsync("/readyz", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task Round_SurvivesAPortalRestartMidRound()
    {
        await using var portal = await PortalHarness.StartAsync();
        var a = await TestFog.ConnectAsync(portal.BrokerPort, "fog-a");
        var b = await TestFog.ConnectAsync(portal.BrokerPort, "fog-b");
        var id = await StartRoundAsync(portal, a, b);
        await Eventually.WaitUntil(() => !a.Tasks.IsEmpty, Wait, "round task");
        a.Tasks.TryPeek(out var task);
        Assert.True((await a.UpdateAsync(task!, Updates.Encode("sbc", Updates.Random(1)), 300)).IsSuccess);
        await a.DisposeAsync();
        await b.DisposeAsync();

        await portal.RestartAsync();
        Assert.Equal(RoundState.Open, (await RoundAsync(portal, id)).State);
        await using var b2 = await TestFog.ConnectAsync(portal.BrokerPort, "fog-b");
        await Eventually.WaitUntil(() => b2.Tasks.Any(t => t.RoundId == id), Wait, "the open round's task republished after the restart");
        Assert.True((await b2.UpdateAsync(task!, Updates.Encode("sbc", Updates.Random(2)), 100)).IsSuccess);
        await WaitForStateAsync(portal, id, RoundState.Completed);
        Assert.Equal(2, (await RoundAsync(portal, id)).Accepted);
    }

    [Fact]
    public async Task AsyncRound_AppliesALateUpdateInTheNextRound_WithStalenessWeight()
    {
        await using var portal = await PortalHarness.StartAsync(new() { ["Federated:Mode"] = "async", ["Federated:MinQuorum"] = "1" });
        await using var a = await TestFog.ConnectAsync(portal.BrokerPort, "fog-a");
        await using var b = await TestFog.ConnectAsync(portal.BrokerPort, "fog-b");
        var first = await StartRoundAsync(portal, a, b);
        await Eventually.WaitUntil(() => !a.Tasks.IsEmpty, Wait, "round task");
        a.Tasks.TryPeek(out var task1);
        Assert.True((await a.UpdateAsync(task1!, Updates.Encode("sbc", Updates.Random(1)), 300)).IsSuccess);
        await WaitForStateAsync(portal, first, RoundState.Completed); // quorum of one closes an async round
        Assert.True((await b.UpdateAsync(task1!, Updates.Encode("sbc", Updates.Random(2)), 100)).IsSuccess);
        await Eventually.WaitUntil(() => portal.Service<PortalCounters>().UpdatesLate == 1, Wait, "straggler kept");

        // Nothing is evaluated in this harness, so the Admin promotes round 1's model for round 2 to start from it.
        using (var admin = await portal.ClientAsync("admin"))
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/models/fl-r{first}/promote", null, TestContext.Current.CancellationToken)).StatusCode);
        }

        var second = await StartRoundAsync(portal, a, b);
        await Eventually.WaitUntil(() => a.Tasks.Any(t => t.RoundId == second), Wait, "second task");
        var task2 = a.Tasks.Last(t => t.RoundId == second);
        Assert.Equal($"fl-r{first}", task2.ModelVersion);
        Assert.True((await a.UpdateAsync(task2, Updates.Encode("sbc", Updates.Random(3)), 300)).IsSuccess);
        await WaitForStateAsync(portal, second, RoundState.Completed);
        Assert.Equal(1, (await RoundAsync(portal, second)).Stale);
        var stale = (await UpdatesAsync(portal)).Single(u => u.FogId == "fog-b" && u.RoundId == first);
        Assert.Equal(UpdateStatus.Applied, stale.Status);
        Assert.Equal(second, stale.AppliedInRound);
        Assert.Contains("staleness weight 0.707", stale.Reason, StringComparison.Ordinal);
    }
}
