using FogLens.AgeModel;
using FogLens.AgeModel.Data;
using FogLens.AgeModel.Inference;
using FogLens.Contracts;
using FogLens.Contracts.Messages;
using FogLens.Contracts.Serialization;
using FogLens.FogService.Inference;
using FogLens.Tests.Shared;
using FogLens.Tests.Shared.Mqtt;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using OpenCvSharp;
using FogLens.FogService.Common;

namespace FogLens.FogService.Tests;

public sealed class FogServiceIntegrationTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly MessageParser _parser = new();

    [Fact]
    public async Task CropsIn_DemographicsOut_WithTheModelsExpectedCounts()
    {
        var faces = Faces(24);
        await using var cloud = new TestBroker();
        await cloud.StartAsync();
        await using var fog = await FogHarness.StartAsync(cloud.Uri);
        var edge = await fog.ConnectEdgeAsync("edge-x");
        var headers = new MessageHeaderFactory("edge-x");
        var capturedAt = DateTimeOffset.UtcNow.AddSeconds(-30);
        foreach (var jpeg in faces)
        {
            Assert.True((await FogHarness.PublishCropAsync(edge, "edge-x", jpeg, capturedAt, headers)).IsSuccess);
        }

        Assert.True(await cloud.WaitForAsync(m => Windows(m).Sum(w => w.Faces) >= faces.Count, Timeout), "demographics expected at the cloud");

        // A window that closed while crops were still being inferred is reported again with the late
        // crops: messages are additive per (edge, camera, window start), so sum them.
        var windows = Windows(cloud.Messages);
        Assert.All(windows, w => Assert.Equal(("edge-x", "cam-1", "age-v2"), (w.EdgeId, w.CameraId, w.ModelVersion)));
        Assert.Single(windows.Select(w => w.WindowStart).Distinct());
        Assert.Equal(faces.Count, windows.Sum(w => w.Faces));
        var counts = Enumerable.Range(0, windows[0].AgeGroups.Count).Select(g => windows.Sum(w => w.AgeGroups[g].Count)).ToArray();
        Assert.Equal(ExpectedGroupCounts(faces), counts);
        await edge.DisconnectAsync(cancellationToken: TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task RedeliveredCrop_IsCountedOnce()
    {
        var jpeg = Faces(1)[0];
        await using var cloud = new TestBroker();
        await cloud.StartAsync();
        await using var fog = await FogHarness.StartAsync(cloud.Uri);
        var edge = await fog.ConnectEdgeAsync("edge-r");
        var metadata = new FaceCropMetadata(new MessageHeaderFactory("edge-r").Next(), "cam-1", 1, DateTimeOffset.UtcNow.AddSeconds(-30), DateTimeOffset.UtcNow.AddSeconds(-30),
            DateTimeOffset.UtcNow.AddSeconds(-30), new FaceBox(1, 1, 40, 40), 640, 480, 0.9f, 10f, "blazeface");
        var frame = BinaryFrame.Encode(BinaryFrameKind.FaceCrop, metadata, jpeg);
        for (var i = 0; i < 3; i++)
        {
            await FogHarness.PublishRawAsync(edge, Topics.EdgeFaces("edge-r"), frame);
        }

        var counters = fog.App.Services.GetRequiredService<FogCounters>();
        await WaitUntil(() => counters.Duplicates == 2 && counters.CropsInferred == 1);
        Assert.True(await cloud.WaitForAsync(m => Windows(m).Count >= 1, Timeout));
        Assert.Equal(1, Windows(cloud.Messages).Sum(w => w.Faces));
        Assert.Equal(2, counters.Duplicates);
    }

    [Fact]
    public async Task BadInputs_AreRejectedAndCounted_ServiceKeepsWorking()
    {
        await using var cloud = new TestBroker();
        await cloud.StartAsync();
        await using var fog = await FogHarness.StartAsync(cloud.Uri);
        var counters = fog.App.Services.GetRequiredService<FogCounters>();
        var edge = await fog.ConnectEdgeAsync("edge-b");
        var headers = new MessageHeaderFactory("edge-b");

        await FogHarness.PublishRawAsync(edge, Topics.EdgeFaces("edge-b"), "garbage, not a frame"u8.ToArray());
        await FogHarness.PublishCropAsync(edge, "edge-b", [0xFF, 0xD8, 0x00, 0x01, 0x02], DateTimeOffset.UtcNow.AddSeconds(-30), headers);
        var foreign = await FogHarness.PublishRawAsync(edge, Topics.EdgeFaces("someone-else"), [1, 2, 3]);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, foreign.ReasonCode);

        // A packet over EdgeBroker:MaxPacketBytes is cut at the framing layer: the connection is closed
        // before the broker reads (or allocates) its body. The edge reconnects.
        await Assert.ThrowsAnyAsync<Exception>(() => FogHarness.PublishRawAsync(edge, Topics.EdgeFaces("edge-b"), new byte[2 * 1024 * 1024]));
        edge.Dispose();

        // The broker drops the cut session asynchronously; like a real edge, reconnect until a publish goes through.
        var valid = Faces(1)[0];
        await Eventually.WaitUntil(
            async () =>
            {
                try
                {
                    edge = await fog.ConnectEdgeAsync("edge-b");
                    return (await FogHarness.PublishCropAsync(edge, "edge-b", valid, DateTimeOffset.UtcNow.AddSeconds(-30), headers)).IsSuccess;
                }
                catch (MQTTnet.Exceptions.MqttCommunicationException)
                {
                    edge.Dispose();
                    return false;
                }
            },
            Timeout);
        Assert.True(await cloud.WaitForAsync(m => Windows(m).Sum(w => w.Faces) >= 1, Timeout), "a valid crop after the bad ones is still counted");
        Assert.Equal(1, counters.CropsRejected);
        Assert.Equal(1, counters.CorruptImages);
        Assert.Equal(2, counters.EdgeMessagesRejected);

        using var http = new HttpClient();
        Assert.True((await http.GetAsync(new Uri(new Uri(fog.HttpAddress), "/readyz"), TestContext.Current.CancellationToken)).IsSuccessStatusCode);
        var metrics = await http.GetStringAsync(new Uri(new Uri(fog.HttpAddress), "/metrics"), TestContext.Current.CancellationToken);
        Assert.Equal(1, PrometheusText.Value(metrics, "foglens_fog_crops_corrupt_image_total"));
        Assert.Equal(2, PrometheusText.Value(metrics, "foglens_fog_edge_messages_refused_total"));
        var model = fog.App.Services.GetRequiredService<FogLens.FogService.Status.FogSnapshotSource>().Capture().ModelVersion;
        Assert.Equal(1, PrometheusText.Value(metrics, "foglens_fog_model_info", $"version=\"{model}\""));
        GrafanaDashboard.AssertServed("fog", metrics);
    }

    [Fact]
    public async Task CloudDown_WindowsWaitInTheOutbox_AndArriveOnceWhenBack()
    {
        var faces = Faces(6);
        await using var cloud = new TestBroker();
        await using var fog = await FogHarness.StartAsync(cloud.Uri);
        var edge = await fog.ConnectEdgeAsync("edge-o");
        var headers = new MessageHeaderFactory("edge-o");
        var minute = DateTimeOffset.UtcNow.AddMinutes(-10);
        minute = new DateTimeOffset(minute.Year, minute.Month, minute.Day, minute.Hour, minute.Minute, 0, TimeSpan.Zero);
        for (var i = 0; i < faces.Count; i++)
        {
            // Three separate windows, two faces each (fixed times: a pair never straddles a window boundary).
            await FogHarness.PublishCropAsync(edge, "edge-o", faces[i], minute.AddMinutes(i / 2), headers);
        }

        // Every face inferred and every window closed into the outbox while the cloud is down.
        var counters = fog.App.Services.GetRequiredService<FogCounters>();
        var aggregator = fog.App.Services.GetRequiredService<FogLens.FogService.Demographics.DemographicsAggregator>();
        await WaitUntil(() => counters.CropsInferred == faces.Count && aggregator.OpenWindows == 0 && counters.WindowsPublished >= 3);

        await cloud.StartAsync();
        Assert.True(await cloud.WaitForAsync(m => Windows(m).Sum(w => w.Faces) >= faces.Count, Timeout), "windows should arrive when the cloud is back");
        var outbox = fog.App.Services.GetRequiredKeyedService<FogLens.Messaging.DiskOutbox>(FogLens.FogService.Common.FogServiceKeys.Cloud);
        await WaitUntil(() => outbox.Count == 0);
        var windows = Windows(cloud.Messages);
        Assert.Equal(counters.WindowsPublished, windows.Count);
        Assert.Equal(windows.Count, windows.Select(w => w.Header.MessageId).Distinct().Count());
        Assert.Equal(faces.Count, windows.Sum(w => w.Faces));
        Assert.Equal(3, windows.Select(w => w.WindowStart).Distinct().Count());
    }

    [Fact]
    public async Task ConfiguredEdgeCredentials_WrongPasswordIsRefused()
    {
        await using var cloud = new TestBroker();
        await cloud.StartAsync();
        await using var fog = await FogHarness.StartAsync(cloud.Uri, new() { ["EdgeBroker:Edges:edge-1"] = "s3cret-edge-1" });
        var ok = await fog.ConnectEdgeAsync("edge-1", "s3cret-edge-1");
        Assert.True(ok.IsConnected);
        await Assert.ThrowsAnyAsync<Exception>(() => fog.ConnectEdgeAsync("edge-1", "wrong"));
        await Assert.ThrowsAnyAsync<Exception>(() => fog.ConnectEdgeAsync("edge-2", "s3cret-edge-1"));
    }

    /// <summary>Face chips from the dataset when present, else crops of messi5.jpg (always installed).</summary>
    private static List<byte[]> Faces(int count)
    {
        if (TestPaths.Dataset is { } dataset)
        {
            return [.. DatasetSplit.FixedSubset(UtkFaceDataset.Scan(dataset).Samples, count).Select(s => File.ReadAllBytes(s.Path))];
        }

        using var messi = Cv2.ImRead(TestPaths.RequireInstalled(Path.Combine(TestPaths.OpenCvSamples, "messi5.jpg"), "opencv-doc"));
        return [.. Enumerable.Range(0, count).Select(i =>
        {
            using var crop = new Mat(messi, new Rect(190 + (i % 5), 60 + (i % 3), 90, 90));
            return crop.ImEncode(".jpg");
        })];
    }

    private static int[] ExpectedGroupCounts(List<byte[]> faces)
    {
        using var estimator = new AgeEstimator(Path.Combine(TestPaths.RepoRoot, "models", "age", "age-net.onnx")) { FlipAverage = new FogLens.FogService.Common.FogOptions().FlipAverage }; // as the fog runs it
        var counts = new int[estimator.Groups.Count];
        foreach (var jpeg in faces)
        {
            using var image = FogLens.AgeModel.Imaging.FacePreprocessor.Decode(jpeg)!;
            counts[estimator.Predict([image])[0].GroupIndex]++;
        }

        return counts;
    }

    private List<FogDemographics> Windows(IEnumerable<(string Topic, byte[] Payload, bool Retain)> messages) =>
        [.. messages.Where(m => m.Topic.EndsWith("/demographics", StringComparison.Ordinal))
            .Select(m => _parser.ParseFogDemographics(m.Topic, m.Payload))
            .Select(r => r.IsSuccess ? r.Value : throw new InvalidOperationException(r.Error.ToString()))];

    private static Task WaitUntil(Func<bool> condition) => Eventually.WaitUntil(condition, Timeout);
}
