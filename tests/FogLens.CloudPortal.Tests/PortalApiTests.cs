using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FogLens.CloudPortal.Data;
using FogLens.Contracts;
using FogLens.Contracts.Messages;
using FogLens.Contracts.Serialization;
using FogLens.Tests.Shared;
using MQTTnet;
using FogLens.CloudPortal.Common;

namespace FogLens.CloudPortal.Tests;

/// <summary>Login, roles, idempotent ingest and broker ACL against a real portal, on SQLite and on PostgreSQL.</summary>
public sealed class PortalApiTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private static async Task<PortalHarness> StartAsync(string provider, Dictionary<string, string?>? extra = null) =>
        provider == "postgres"
            ? await PortalHarness.StartAsync(extra, await (await PostgresServer.RequireAsync()).CreateDatabaseAsync())
            : await PortalHarness.StartAsync(extra);

    [Fact]
    public async Task Api_RequiresLogin_AndAdminForActions()
    {
        await using var portal = await PortalHarness.StartAsync();
        using var anonymous = await portal.ClientAsync(null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/nodes", TestContext.Current.CancellationToken)).StatusCode);
        var page = await anonymous.GetAsync("/demographics", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Contains("/login", page.Headers.Location!.ToString(), StringComparison.Ordinal);
        var wrong = await anonymous.PostAsJsonAsync("/api/auth/login", new { name = "admin", password = "not-the-password" }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);

        using var viewer = await portal.ClientAsync("viewer");
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/nodes", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync("/api/rounds", null, TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync("/api/models/age-v1/promote", null, TestContext.Current.CancellationToken)).StatusCode);

        // The per-group MAE is a JSON object for clients, not a string of JSON inside the JSON (models and summary alike).
        var models = await viewer.GetFromJsonAsync<JsonElement>("/api/models", TestContext.Current.CancellationToken);
        var shipped = models.EnumerateArray().Where(m => m.GetProperty("source").GetString() == "base").ToList();
        Assert.Equal(["age-v1-cam", "age-v2"], shipped.Select(m => m.GetProperty("version").GetString()).Order());
        Assert.All(shipped, m =>
        {
            var groupMae = m.GetProperty("groupMae");
            Assert.Equal(JsonValueKind.Object, groupMae.ValueKind);
            Assert.Equal(JsonValueKind.Number, groupMae.GetProperty("20-29").ValueKind);
        });
        Assert.False(models[0].TryGetProperty("groupMaeJson", out _));
        var summary = await viewer.GetFromJsonAsync<JsonElement>("/api/summary", TestContext.Current.CancellationToken);
        Assert.Equal(JsonValueKind.Object, summary.GetProperty("currentModel").GetProperty("groupMae").ValueKind);

        using var admin = await portal.ClientAsync("admin");
        var refused = await admin.PostAsync("/api/rounds", null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode); // allowed, but no fog is online
        Assert.Contains("no fog", await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);

        var openApi = await anonymous.GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken);
        Assert.Contains("/api/demographics", openApi, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/readyz", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task ExperimentImport_IsAdminOnly_ListsTheRun_AndRejectsGarbage()
    {
        await using var portal = await PortalHarness.StartAsync();
        var folder = Path.Combine(TestPaths.RepoRoot, "experiments", "runs", "iid-sbc-p0.001-e1-r10");
        var body = new
        {
            run = await File.ReadAllTextAsync(Path.Combine(folder, "run.json"), TestContext.Current.CancellationToken),
            rounds = await File.ReadAllTextAsync(Path.Combine(folder, "rounds.jsonl"), TestContext.Current.CancellationToken),
        };
        using var viewer = await portal.ClientAsync("viewer");
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync("/api/experiments", body, TestContext.Current.CancellationToken)).StatusCode);

        using var admin = await portal.ClientAsync("admin");
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync("/api/experiments", body, TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync("/api/experiments", body, TestContext.Current.CancellationToken)).StatusCode); // a re-import replaces
        using var list = JsonDocument.Parse(await viewer.GetStringAsync("/api/experiments", TestContext.Current.CancellationToken));
        Assert.Equal("iid-sbc-p0.001-e1-r10", Assert.Single(list.RootElement.EnumerateArray()).GetProperty("name").GetString());

        var garbage = await admin.PostAsJsonAsync("/api/experiments", new { run = "{not json", rounds = "" }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Demographics_RedeliveredMessagesCountOnce_MalformedRejected(string provider)
    {
        await using var portal = await StartAsync(provider, new() { ["Portal:MinFacesShown"] = "1" }); // k-anonymity has its own test
        await using var fog = await TestFog.ConnectAsync(portal.BrokerPort, "fog-a");
        var start = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(-1).AddHours(8), TimeSpan.Zero);
        var first = TestFog.Window(fog.NextHeader(), "edge-1", start, ("0-2", 0, 2, 1), ("20-29", 20, 29, 3));
        var second = TestFog.Window(fog.NextHeader(), "edge-2", start.AddMinutes(1), ("20-29", 20, 29, 2), ("70+", 70, null, 1));
        Assert.True((await fog.DemographicsAsync(first)).IsSuccess);
        Assert.True((await fog.DemographicsAsync(first)).IsSuccess); // redelivery of the same message id
        Assert.True((await fog.DemographicsAsync(second)).IsSuccess);
        var garbage = await fog.PublishAsync(Topics.FogDemographics("fog-a"), "{\"not\":\"a window\"}"u8.ToArray());
        Assert.Equal(MqttClientPublishReasonCode.PayloadFormatInvalid, garbage.ReasonCode);

        using var viewer = await portal.ClientAsync("viewer");
        var groups = await viewer.GetFromJsonAsync<List<GroupTotal>>("/api/demographics/groups", TestContext.Current.CancellationToken);
        Assert.Equal([("0-2", 1L), ("20-29", 5L), ("70+", 1L)], groups!.Select(g => (g.Label, g.Faces)));
        var windows = await viewer.GetFromJsonAsync<List<JsonElement>>("/api/demographics?fog=fog-a", TestContext.Current.CancellationToken);
        Assert.Equal(2, windows!.Count);
        var counters = portal.Service<PortalCounters>();
        Assert.Equal(2, counters.WindowsStored);
        Assert.Equal(1, counters.Duplicates);
        Assert.Equal(1, counters.RejectedMessages);

        var csv = await viewer.GetStringAsync("/api/demographics.csv?camera=cam-1", TestContext.Current.CancellationToken);
        var lines = csv.Trim().Split("\r\n");
        Assert.Equal("window_start,window_end,fog,edge,camera,faces,mean_age,model_version,age_0-2,age_20-29,age_70+", lines[0]);
        Assert.Equal(3, lines.Length);
        Assert.EndsWith(",4,30.00,age-v1,1,3,0", lines[1], StringComparison.Ordinal);

        // The fog relays its edges' status: the portal shows each edge's camera, rate and outbox.
        await fog.StatusAsync(edges: [new EdgeSummary("edge-2", NodeState.Online, "cam-9", 12.5, 12.5, 1, 42, 3, DateTimeOffset.UtcNow)], site: "north-gate");
        await Eventually.WaitUntil(() => counters.StatusMessages >= 1, Wait, "fog status stored");
        var nodes = await viewer.GetFromJsonAsync<List<JsonElement>>("/api/nodes", TestContext.Current.CancellationToken);
        Assert.Contains(nodes!, n => n.GetProperty("node").GetProperty("id").GetString() == "fog-a" && n.GetProperty("online").GetBoolean()
            && n.GetProperty("node").GetProperty("site").GetString() == "north-gate");
        Assert.NotEqual("[]", await viewer.GetStringAsync("/api/demographics?site=north-gate", TestContext.Current.CancellationToken));
        Assert.Equal("[]", await viewer.GetStringAsync("/api/demographics?site=elsewhere", TestContext.Current.CancellationToken));
        var edge = Assert.Single(nodes!, n => n.GetProperty("node").GetProperty("id").GetString() == "edge-2").GetProperty("node");
        Assert.Equal(("fog-a", "cam-9", 12.5, 42L, 3), (edge.GetProperty("fogId").GetString(), edge.GetProperty("cameraId").GetString(), edge.GetProperty("rate").GetDouble(),
            edge.GetProperty("cropsReceived").GetInt64(), edge.GetProperty("outboxDepth").GetInt32()));
    }

    [Fact]
    public async Task Broker_RefusesUnknownFogs_AndForeignTopics()
    {
        await using var portal = await PortalHarness.StartAsync(new() { ["Broker:Fogs:fog-a"] = "secret-a-password", ["Broker:Fogs:fog-b"] = "secret-b-password" });
        await Assert.ThrowsAnyAsync<Exception>(() => TestFog.ConnectAsync(portal.BrokerPort, "fog-a", "wrong"));
        await Assert.ThrowsAnyAsync<Exception>(() => TestFog.ConnectAsync(portal.BrokerPort, "fog-x", "secret-a-password"));
        await using var fog = await TestFog.ConnectAsync(portal.BrokerPort, "fog-a", "secret-a-password");
        var start = DateTimeOffset.UtcNow;
        var foreign = await fog.PublishAsync(Topics.FogDemographics("fog-b"), JsonSerializer.SerializeToUtf8Bytes(new { }));
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, foreign.ReasonCode);
        var foreignLate = await fog.PublishAsync(Topics.FogLateDemographics("fog-b"), JsonSerializer.SerializeToUtf8Bytes(new { }));
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, foreignLate.ReasonCode);
        var oversized = await fog.PublishAsync("foglens/v1/fog/fog-a/other", [1, 2, 3]);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, oversized.ReasonCode);
        Assert.True((await fog.DemographicsAsync(TestFog.Window(fog.NextHeader(), "edge-1", start, ("20-29", 20, 29, 1)))).IsSuccess);
        var late = await fog.PublishAsync(Topics.FogLateDemographics("fog-a"), JsonMessages.Serialize(TestFog.Window(fog.NextHeader(), "edge-1", start.AddMinutes(-90), ("20-29", 20, 29, 2))));
        Assert.True(late.IsSuccess); // its own late topic: stored
        Assert.Equal(2, portal.Service<PortalCounters>().WindowsStored);
        Assert.Equal(3, portal.Service<PortalCounters>().RefusedPublishes);
        Assert.True(portal.Service<PortalCounters>().RefusedConnections >= 2);
    }
}
