using FogLens.Contracts;
using FogLens.Contracts.Serialization;
using FogLens.EdgeAgent;
using FogLens.EdgeAgent.Pipeline;
using FogLens.Messaging;
using FogLens.Tests.Shared;
using FogLens.Tests.Shared.Mqtt;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenCvSharp;

namespace FogLens.EdgeAgent.Tests;

public sealed class EdgeAgentIntegrationTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly MessageParser _parser = new();

    [Fact]
    public async Task ImageFolder_PublishesOneValidCropPerPerson()
    {
        var scene = SyntheticScenes.Create(people: 2);
        await using var broker = new TestBroker();
        await broker.StartAsync();
        using var host = StartAgent("edge-a", scene, broker.Uri);
        await host.StartAsync(TestContext.Current.CancellationToken);

        Assert.True(await broker.WaitForAsync(m => Crops(m).Count >= 2, Timeout), "two crops expected");
        var crops = Crops(broker.Messages);
        Assert.Equal(2, crops.Count);
        foreach (var crop in crops)
        {
            Assert.Equal("edge-a", crop.Metadata.Header.SenderId);
            Assert.Equal("blazeface-cascade", crop.Metadata.Detector);
            using var image = Cv2.ImDecode(crop.Payload.ToArray(), ImreadModes.Color);
            Assert.False(image.Empty());
        }

        Assert.NotEqual(crops[0].Metadata.TrackId, crops[1].Metadata.TrackId);
        Assert.True(await broker.WaitForAsync(m => m.Any(x => x.Topic == Topics.EdgeStatus("edge-a") && x.Retain), Timeout), "retained status expected");
        await host.StopAsync(TestContext.Current.CancellationToken);
        Directory.Delete(scene, recursive: true);
    }

    [Fact]
    public async Task PrometheusListener_ExposesTheEdgeMeters_AndCropsCarryTheirTrace()
    {
        var scene = SyntheticScenes.Create(people: 2);
        await using var broker = new TestBroker();
        await broker.StartAsync();
        var port = FreePort();
        using var host = StartAgent("edge-m", scene, broker.Uri, new() { ["Telemetry:PrometheusPort"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        await host.StartAsync(TestContext.Current.CancellationToken);
        Assert.True(await broker.WaitForAsync(m => Crops(m).Count >= 2, Timeout), "two crops expected");
        var traces = Crops(broker.Messages).Select(c => c.Metadata.Header.TryGetTraceContext(out var context) ? context.TraceId.ToString() : null).ToList();
        Assert.All(traces, Assert.NotNull);
        Assert.Equal(traces.Count, traces.Distinct().Count()); // one trace per crop, begun at the edge

        using var http = new HttpClient();
        var scrape = await http.GetStringAsync(new Uri($"http://localhost:{port}/metrics"), TestContext.Current.CancellationToken);
        Assert.Equal(2, PrometheusText.Value(scrape, "foglens_edge_crops_queued_total"));
        Assert.True(PrometheusText.Value(scrape, "foglens_edge_frames_read_total") > 0, scrape);
        Assert.NotNull(PrometheusText.Value(scrape, "foglens_edge_outbox_depth"));
        GrafanaDashboard.AssertServed("edge", scrape);
        await host.StopAsync(TestContext.Current.CancellationToken);
        Directory.Delete(scene, recursive: true);
    }

    [Fact]
    public async Task BrokerDown_OutboxStoresCrops_AllArriveOnceInOrderWhenBack()
    {
        var scene = SyntheticScenes.Create(people: 3);
        await using var broker = new TestBroker();
        using var host = StartAgent("edge-b", scene, broker.Uri);
        await host.StartAsync(TestContext.Current.CancellationToken);
        var metrics = host.Services.GetRequiredService<EdgeMetrics>();
        var outbox = host.Services.GetRequiredService<DiskOutbox>();

        // The broker is not running: the folder is processed and the crops wait on disk.
        await WaitUntil(() => metrics.SourceEnded && metrics.CropsQueued == 3);
        Assert.Equal(3, outbox.Count);

        await broker.StartAsync();
        Assert.True(await broker.WaitForAsync(m => Crops(m).Count >= 3, Timeout), "crops should arrive after the broker comes back");
        await WaitUntil(() => outbox.Count == 0);

        var crops = Crops(broker.Messages);
        Assert.Equal(3, crops.Select(c => c.Metadata.Header.MessageId).Distinct().Count());
        Assert.Equal(crops.Select(c => c.Metadata.Header.Sequence).Order(), crops.Select(c => c.Metadata.Header.Sequence));
        await host.StopAsync(TestContext.Current.CancellationToken);
        Directory.Delete(scene, recursive: true);
    }

    [Fact]
    public async Task CorruptImage_IsReportedAndTheAgentGoesOn()
    {
        var scene = SyntheticScenes.Create(people: 1, corruptFileAt: "0005x.jpg");
        await using var broker = new TestBroker();
        await broker.StartAsync();
        using var host = StartAgent("edge-c", scene, broker.Uri);
        await host.StartAsync(TestContext.Current.CancellationToken);
        var metrics = host.Services.GetRequiredService<EdgeMetrics>();

        Assert.True(await broker.WaitForAsync(m => Crops(m).Count >= 1, Timeout));
        Assert.True(metrics.BadInputs >= 1);
        await host.StopAsync(TestContext.Current.CancellationToken);
        Directory.Delete(scene, recursive: true);
    }

    [Fact]
    public async Task UnreadableVideo_IsReportedAndRetried_AgentKeepsRunning()
    {
        var video = Path.Combine(Directory.CreateTempSubdirectory("foglens-video-").FullName, "broken.avi");
        await File.WriteAllBytesAsync(video, new byte[4096], TestContext.Current.CancellationToken);
        await using var broker = new TestBroker();
        await broker.StartAsync();
        using var host = StartAgent("edge-d", video, broker.Uri);
        await host.StartAsync(TestContext.Current.CancellationToken);
        var metrics = host.Services.GetRequiredService<EdgeMetrics>();

        await WaitUntil(() => metrics.BadInputs >= 1);
        Assert.True(await broker.WaitForAsync(m => m.Any(x => x.Topic == Topics.EdgeStatus("edge-d")), Timeout), "the agent still reports status");
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static IHost StartAgent(string edgeId, string source, Uri broker, Dictionary<string, string?>? extra = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(extra ?? []);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Edge:EdgeId"] = edgeId,
            ["Edge:Source"] = source,
            ["Edge:RealTime"] = "false",
            ["Edge:StatusInterval"] = "00:00:01",
            ["Edge:OutboxDirectory"] = Directory.CreateTempSubdirectory("foglens-outbox-").FullName,
            ["Fog:Broker"] = broker.ToString(),
            ["Fog:MinBackoff"] = "00:00:00.100",
            ["Fog:MaxBackoff"] = "00:00:00.500",
        });
        builder.Services.AddLogging();
        builder.AddEdgeAgent();
        return builder.Build();
    }

    private List<BinaryMessage<FogLens.Contracts.Messages.FaceCropMetadata>> Crops(IEnumerable<(string Topic, byte[] Payload, bool Retain)> messages) =>
        [.. messages.Where(m => m.Topic.EndsWith("/faces", StringComparison.Ordinal))
            .Select(m => _parser.ParseFaceCrop(m.Topic, m.Payload))
            .Select(r => r.IsSuccess ? r.Value : throw new InvalidOperationException(r.Error.ToString()))];

    private static Task WaitUntil(Func<bool> condition) => Eventually.WaitUntil(condition, Timeout);
}
