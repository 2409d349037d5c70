using FogLens.Contracts;
using FogLens.Contracts.Messages;
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
        var port = TestBroker.FreePort();
        using var host = StartAgent("edge-m", scene, broker.Uri, extra: new() { ["Telemetry:PrometheusPort"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) });
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

    [Fact]
    public async Task MissingSource_StatusSaysMissing_WithinSeconds()
    {
        var missing = Path.Combine(Path.GetTempPath(), "foglens-no-such-" + Guid.NewGuid().ToString("N") + ".mp4");
        var status = await FirstSourceStateAsync("edge-m", missing, SourceState.Missing);
        Assert.Contains("does not exist", status.SourceProblem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("notes.mp4", "this is a text file, not a video\n")]
    [InlineData("corrupt.avi", null)]
    public async Task NonVideoOrCorruptFile_StatusSaysUnreadable_WithinSeconds(string name, string? text)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("foglens-video-").FullName, name);
        if (text is null)
        {
            // A RIFF/AVI header followed by garbage: a corrupt AVI.
            var bytes = new byte[8192];
            new Random(7).NextBytes(bytes);
            "RIFF"u8.CopyTo(bytes);
            "AVI LIST"u8.CopyTo(bytes.AsSpan(8));
            await File.WriteAllBytesAsync(path, bytes, TestContext.Current.CancellationToken);
        }
        else
        {
            await File.WriteAllTextAsync(path, text, TestContext.Current.CancellationToken);
        }

        var status = await FirstSourceStateAsync("edge-u", path, SourceState.Unreadable);
        Assert.False(string.IsNullOrEmpty(status.SourceProblem));
    }

    [Fact]
    public async Task UnreachableStream_StatusSaysReconnecting_WithinSeconds()
    {
        var status = await FirstSourceStateAsync("edge-r", $"rtsp://127.0.0.1:{TestBroker.FreePort()}/camera", SourceState.Reconnecting);
        Assert.Contains("rtsp://127.0.0.1", status.SourceProblem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VideoThatEnds_StatusSaysEnded_AndCameraFpsFallsToZero()
    {
        var video = ShortVideo(frames: 12);
        await using var broker = new TestBroker();
        await broker.StartAsync();
        using var host = StartAgent("edge-e", video, broker.Uri, loop: false);
        await host.StartAsync(TestContext.Current.CancellationToken);

        Assert.True(await broker.WaitForAsync(m => Statuses(m, "edge-e").Any(s => s.SourceState == SourceState.Ok), Timeout), "the video plays first (ok)");
        Assert.True(await broker.WaitForAsync(m => Statuses(m, "edge-e").Any(s => s.SourceState == SourceState.Ended), Timeout), "then it ends");
        var endedAt = broker.Messages.Count;
        Assert.True(
            await broker.WaitForAsync(m => Statuses(m.Skip(endedAt), "edge-e").Any(s => s.SourceState == SourceState.Ended && s.CameraFps == 0 && s.State == NodeState.Online), Timeout),
            "an ended source reports 0 fps and the edge stays online");
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    private async Task<EdgeStatus> FirstSourceStateAsync(string edgeId, string source, SourceState expected)
    {
        await using var broker = new TestBroker();
        await broker.StartAsync();
        using var host = StartAgent(edgeId, source, broker.Uri, statusInterval: TimeSpan.FromSeconds(30));
        var started = System.Diagnostics.Stopwatch.StartNew();
        await host.StartAsync(TestContext.Current.CancellationToken);

        // The status interval is 30 s here: the state must be published when it changes, not at the next tick.
        Assert.True(await broker.WaitForAsync(m => Statuses(m, edgeId).Any(s => s.SourceState == expected), TimeSpan.FromSeconds(10)), $"status must say {expected} within seconds");
        Assert.InRange(started.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        var status = Statuses(broker.Messages, edgeId).First(s => s.SourceState == expected);
        Assert.Equal(NodeState.Online, status.State);
        await host.StopAsync(TestContext.Current.CancellationToken);
        return status;
    }

    private List<EdgeStatus> Statuses(IEnumerable<(string Topic, byte[] Payload, bool Retain)> messages, string edgeId) =>
        [.. messages.Where(m => m.Topic == Topics.EdgeStatus(edgeId))
            .Select(m => _parser.ParseEdgeStatus(m.Topic, m.Payload))
            .Select(r => r.IsSuccess ? r.Value : throw new InvalidOperationException(r.Error.ToString()))];

    /// <summary>A short MJPEG AVI of a synthetic scene.</summary>
    private static string ShortVideo(int frames)
    {
        var scene = SyntheticScenes.Create(people: 1);
        var path = Path.Combine(Directory.CreateTempSubdirectory("foglens-video-").FullName, "short.avi");
        var images = Directory.GetFiles(scene, "*.jpg").Order(StringComparer.Ordinal).Take(frames).ToList();
        using var first = Cv2.ImRead(images[0]);
        using (var writer = new VideoWriter(path, FourCC.MJPG, 10, first.Size()))
        {
            Assert.True(writer.IsOpened(), "OpenCV must write an MJPEG AVI");
            foreach (var file in images)
            {
                using var image = Cv2.ImRead(file);
                writer.Write(image);
            }
        }

        Directory.Delete(scene, recursive: true);
        return path;
    }


    private static IHost StartAgent(string edgeId, string source, Uri broker, bool loop = false, TimeSpan? statusInterval = null, Dictionary<string, string?>? extra = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(extra ?? []);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Edge:EdgeId"] = edgeId,
            ["Edge:Source"] = source,
            ["Edge:RealTime"] = "false",
            ["Edge:StatusInterval"] = (statusInterval ?? TimeSpan.FromSeconds(1)).ToString("c", System.Globalization.CultureInfo.InvariantCulture),
            ["Edge:Loop"] = loop ? "true" : "false",
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
