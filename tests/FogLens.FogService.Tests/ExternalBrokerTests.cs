using FogLens.Contracts;
using FogLens.Contracts.Messages;
using FogLens.Contracts.Serialization;
using FogLens.Tests.Shared;
using FogLens.Tests.Shared.Mqtt;
using MQTTnet;
using MQTTnet.Formatter;
using OpenCvSharp;

namespace FogLens.FogService.Tests;

/// <summary>The fog against Debian's Mosquitto as the edge broker (EdgeBroker:Embedded=false).</summary>
public sealed class ExternalBrokerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly MessageParser _parser = new();

    [Fact]
    public async Task Mosquitto_CropsReachTheFog_IncludingThoseSentWhileTheFogWasDown()
    {
        using var mosquitto = new MosquittoBroker();
        await mosquitto.StartAsync();
        await using var cloud = new TestBroker();
        await cloud.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["EdgeBroker:Embedded"] = "false",
            ["EdgeBroker:External"] = mosquitto.Uri.ToString(),
            ["EdgeBroker:FogPassword"] = "fog-on-mosquitto", // anonymous test broker ignores it; the fog refuses to start without one
            ["Fog:DataDirectory"] = Directory.CreateTempSubdirectory("foglens-fog-ext-").FullName,
        };
        using var edge = new MqttClientFactory().CreateMqttClient();
        await edge.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", mosquitto.Port).WithClientId("edge-m").WithProtocolVersion(MqttProtocolVersion.V500).Build(), TestContext.Current.CancellationToken);
        var headers = new MessageHeaderFactory("edge-m");
        var jpeg = Face();

        await using (var fog = await FogHarness.StartAsync(cloud.Uri, settings))
        {
            await WaitForFogSubscriptionAsync(edge);
            await FogHarness.PublishCropAsync(edge, "edge-m", jpeg, DateTimeOffset.UtcNow.AddMinutes(-5), headers);
            Assert.True(await cloud.WaitForAsync(m => Faces(m) >= 1, Timeout), "a crop sent through Mosquitto must be counted");
        }

        // The fog is down: Mosquitto keeps its persistent session and queues the crops.
        for (var i = 0; i < 3; i++)
        {
            await FogHarness.PublishCropAsync(edge, "edge-m", jpeg, DateTimeOffset.UtcNow.AddMinutes(-5), headers);
        }

        await using (var restarted = await FogHarness.StartAsync(cloud.Uri, settings))
        {
            Assert.True(await cloud.WaitForAsync(m => Faces(m) >= 4, Timeout), "crops queued by Mosquitto while the fog was down must arrive");
        }

        Assert.Equal(4, Faces(cloud.Messages));
    }

    /// <summary>Publishes a probe until the fog's subscription exists (Mosquitto answers "no matching subscribers" before).</summary>
    private static async Task WaitForFogSubscriptionAsync(IMqttClient edge)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var probe = await FogHarness.PublishRawAsync(edge, Topics.EdgeStatus("edge-m"), JsonMessages.Serialize(new EdgeStatus(
                new MessageHeaderFactory("edge-m").Next(), NodeState.Online, "cam-1", "test", "blazeface", 0, 0, 0, 0, 0, 0, 0)));
            if (probe.ReasonCode == MqttClientPublishReasonCode.Success)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, "the fog never subscribed on Mosquitto");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>
    /// Faces reported, counted as a receiver must: delivery is at-least-once (a fog stopped between the
    /// broker's acknowledgement and removing the message from its outbox sends it again after the
    /// restart), so messages are deduplicated by message id.
    /// </summary>
    private int Faces(IEnumerable<(string Topic, byte[] Payload, bool Retain)> messages) =>
        messages.Where(m => m.Topic.EndsWith("/demographics", StringComparison.Ordinal))
            .Select(m => _parser.ParseFogDemographics(m.Topic, m.Payload))
            .Select(r => r.IsSuccess ? r.Value : throw new InvalidOperationException(r.Error.ToString()))
            .DistinctBy(d => d.Header.MessageId)
            .Sum(d => d.Faces);

    private static byte[] Face()
    {
        using var messi = Cv2.ImRead(TestPaths.RequireInstalled(Path.Combine(TestPaths.OpenCvSamples, "messi5.jpg"), "opencv-doc"));
        using var crop = new Mat(messi, new Rect(190, 60, 90, 90));
        return crop.ImEncode(".jpg");
    }
}
