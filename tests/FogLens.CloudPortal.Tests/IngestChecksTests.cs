using System.Net.Http.Json;
using System.Text.Json;
using FogLens.CloudPortal.Api;
using FogLens.CloudPortal.Data;
using FogLens.CloudPortal.Broker;
using FogLens.Contracts.Messages;
using FogLens.Tests.Shared;
using MQTTnet;
using FogLens.CloudPortal.Common;

namespace FogLens.CloudPortal.Tests;

/// <summary>
/// Security issue #14, items 4 and 5: forged reports from an authenticated fog are refused with a typed
/// reason and counted; windows under the k-anonymity threshold are shown nowhere; the CSV export is safe.
/// </summary>
public sealed class IngestChecksTests
{
    private const string PasswordA = "fog-a-password";
    private const string PasswordB = "fog-b-password";

    [Fact]
    public async Task ForgedReports_AreRefusedWithAReason_HonestTrafficIsStored()
    {
        await using var portal = await PortalHarness.StartAsync(new() { ["Broker:Fogs:fog-a"] = PasswordA, ["Broker:Fogs:fog-b"] = PasswordB });
        await using var fogA = await TestFog.ConnectAsync(portal.BrokerPort, "fog-a", PasswordA);
        await using var fogB = await TestFog.ConnectAsync(portal.BrokerPort, "fog-b", PasswordB);
        var counters = portal.Service<PortalCounters>();
        var now = DateTimeOffset.UtcNow;
        var start = now.AddMinutes(-3);

        // fog-a registers edge-1 with an honest window.
        Assert.True((await fogA.DemographicsAsync(TestFog.Window(fogA.NextHeader(), "edge-1", start, ("20-29", 20, 29, 6)))).IsSuccess);

        // fog-b reports for fog-a's edge, by demographics and by relayed status.
        var foreign = await fogB.DemographicsAsync(TestFog.Window(fogB.NextHeader(), "edge-1", start, ("70+", 70, null, 9)));
        Assert.Equal(MqttClientPublishReasonCode.PayloadFormatInvalid, foreign.ReasonCode);
        await fogB.StatusAsync(edges: [new EdgeSummary("edge-1", NodeState.Online, "cam-evil", 1, 1, 0, 0, 0, now)]);
        await Eventually.WaitUntil(() => counters.Refused(IngestRefusal.ForeignEdge) == 2, TimeSpan.FromSeconds(30), "the relayed status refused for edge-1");

        // Implausible counts, windows far in the future or past, and free text outside the id character set.
        Assert.Equal(MqttClientPublishReasonCode.PayloadFormatInvalid, (await fogA.DemographicsAsync(TestFog.Window(fogA.NextHeader(), "edge-1", start, ("20-29", 20, 29, 2_000_000_000)))).ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.PayloadFormatInvalid, (await fogA.DemographicsAsync(TestFog.Window(fogA.NextHeader(), "edge-1", new DateTimeOffset(2099, 1, 1, 0, 0, 0, TimeSpan.Zero), ("20-29", 20, 29, 6)))).ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.PayloadFormatInvalid, (await fogA.DemographicsAsync(TestFog.Window(fogA.NextHeader(), "edge-1", now.AddDays(-200), ("20-29", 20, 29, 6)))).ReasonCode);
        var formula = TestFog.Window(fogA.NextHeader(), "edge-1", start, ("20-29", 20, 29, 6)) with { ModelVersion = "=HYPERLINK(\"http://x\")" };
        Assert.Equal(MqttClientPublishReasonCode.PayloadFormatInvalid, (await fogA.DemographicsAsync(formula)).ReasonCode);
        var label = TestFog.Window(fogA.NextHeader(), "edge-1", start, ("=1+1", 20, 29, 6));
        Assert.Equal(MqttClientPublishReasonCode.PayloadFormatInvalid, (await fogA.DemographicsAsync(label)).ReasonCode);

        Assert.Equal(1, counters.WindowsStored);
        Assert.Equal(1, counters.Refused(IngestRefusal.WindowInFuture));
        Assert.Equal(1, counters.Refused(IngestRefusal.WindowTooOld));
        Assert.Equal(3, counters.Refused(IngestRefusal.Malformed));
        using var viewer = await portal.ClientAsync("viewer");
        var nodes = await viewer.GetFromJsonAsync<List<JsonElement>>("/api/nodes", TestContext.Current.CancellationToken);
        var edge = Assert.Single(nodes!, n => n.GetProperty("node").GetProperty("id").GetString() == "edge-1").GetProperty("node");
        Assert.Equal("fog-a", edge.GetProperty("fogId").GetString());
        Assert.NotEqual("cam-evil", edge.GetProperty("cameraId").GetString());
    }

    [Fact]
    public async Task WindowsUnderTheThreshold_AreShownNowhere_AndTheCsvIsSafe()
    {
        await using var portal = await PortalHarness.StartAsync(new() { ["Broker:Fogs:fog-a"] = PasswordA });
        await using var fog = await TestFog.ConnectAsync(portal.BrokerPort, "fog-a", PasswordA);
        var start = DateTimeOffset.UtcNow.AddMinutes(-10);
        Assert.True((await fog.DemographicsAsync(TestFog.Window(fog.NextHeader(), "edge-1", start, ("20-29", 20, 29, 3), ("30-39", 30, 39, 2)))).IsSuccess);
        var lone = TestFog.Window(fog.NextHeader(), "edge-2", start, ("70+", 70, null, 1)) with { CameraId = "cam-2" };
        Assert.True((await fog.DemographicsAsync(lone)).IsSuccess);
        Assert.Equal(2, portal.Service<PortalCounters>().WindowsStored);

        using var viewer = await portal.ClientAsync("viewer");
        var windows = await viewer.GetFromJsonAsync<List<JsonElement>>("/api/demographics", TestContext.Current.CancellationToken);
        Assert.Equal("edge-1", Assert.Single(windows!).GetProperty("edgeId").GetString());
        var groups = await viewer.GetFromJsonAsync<List<GroupTotal>>("/api/demographics/groups", TestContext.Current.CancellationToken);
        Assert.DoesNotContain(groups!, g => g.Label == "70+");
        Assert.Empty((await viewer.GetFromJsonAsync<List<GroupTotal>>("/api/demographics/groups?camera=cam-2", TestContext.Current.CancellationToken))!);
        var trend = await portal.Service<PortalQueries>().TrendAsync(new DemographicsFilter(), TimeSpan.FromMinutes(5), TestContext.Current.CancellationToken);
        Assert.DoesNotContain(trend, b => b.Faces.ContainsKey("70+"));

        var csv = await viewer.GetStringAsync("/api/demographics.csv", TestContext.Current.CancellationToken);
        var rows = csv.TrimEnd().Split("\r\n");
        Assert.Equal(2, rows.Length); // header and the one shown window
        Assert.DoesNotContain("edge-2", csv, StringComparison.Ordinal);
        Assert.All(rows, r => Assert.Equal(rows[0].Split(',').Length, r.Split(',').Length));
        Assert.All(rows.SelectMany(r => r.Split(',')), c => Assert.False(c.StartsWith('='), c));
    }

    [Fact]
    public async Task ModelFilesAndMetrics_NeedAnAccount()
    {
        await using var portal = await PortalHarness.StartAsync(new() { ["Broker:Fogs:fog-a"] = PasswordA, ["Portal:MetricsToken"] = "metrics-token-1234" });
        using var anonymous = await portal.ClientAsync(null);
        var ct = TestContext.Current.CancellationToken;
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/models/age-v2/onnx", ct)).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/metrics", ct)).StatusCode);

        using var fog = await portal.ClientAsync(null);
        fog.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("fog-a:" + PasswordA)));
        Assert.Equal(System.Net.HttpStatusCode.OK, (await fog.GetAsync("/api/models/age-v2/onnx", ct)).StatusCode);
        using var wrong = await portal.ClientAsync(null);
        wrong.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("fog-a:guess-guess")));
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await wrong.GetAsync("/api/models/age-v2/onnx", ct)).StatusCode);

        using var prometheus = await portal.ClientAsync(null);
        prometheus.DefaultRequestHeaders.Authorization = new("Bearer", "metrics-token-1234");
        var scrape = await prometheus.GetStringAsync("/metrics", ct);
        Assert.Equal(0, PrometheusText.Value(scrape, "foglens_portal_messages_rejected_total", "reason=\"foreign_edge\""));
        Assert.Equal(0, PrometheusText.Value(scrape, "foglens_portal_demographics_windows_stored_total"));
        GrafanaDashboard.AssertServed("portal", scrape);
        Assert.NotNull(PrometheusText.Value(scrape, "process_runtime_dotnet_gc_collections_count_total")
            ?? PrometheusText.Value(scrape, "dotnet_gc_collections_total")); // the runtime's own meter is exported too
        using var viewer = await portal.ClientAsync("viewer");
        Assert.Equal(System.Net.HttpStatusCode.OK, (await viewer.GetAsync("/metrics", ct)).StatusCode);
    }

    [Theory]
    [InlineData("edge-1", "edge-1")]
    [InlineData("=SUM(A1:A9)", "'=SUM(A1:A9)")]
    [InlineData("+1", "'+1")]
    [InlineData("-1", "'-1")]
    [InlineData("@x", "'@x")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("=a,\"b\"", "\"'=a,\"\"b\"\"\"")]
    [InlineData("line\nbreak", "\"line\nbreak\"")]
    public void CsvCell_IsQuotedAndNeutralised(string value, string expected) => Assert.Equal(expected, DemographicsCsv.Cell(value));
}
