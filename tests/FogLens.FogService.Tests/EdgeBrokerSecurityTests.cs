using System.Buffers.Binary;
using System.Diagnostics;
using FogLens.Contracts;
using FogLens.Contracts.Serialization;
using FogLens.Tests.Shared;
using FogLens.Tests.Shared.Mqtt;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using OpenCvSharp;
using FogLens.FogService.Common;

namespace FogLens.FogService.Tests;

/// <summary>
/// Probes of the fog's edge broker as a device on the camera network would make them (security issue #14,
/// items 1 and 3): impersonating the fog's own session, reading crops as a compromised camera, open
/// configurations, and a JPEG that declares a huge image.
/// </summary>
public sealed class EdgeBrokerSecurityTests
{
    private const string EdgePassword = "edge-1-password";
    private const string CompromisedPassword = "edge-2-password";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task FogSessionCannotBeImpersonated_AndNoClientReadsCrops()
    {
        await using var cloud = new TestBroker();
        await cloud.StartAsync();
        await using var fog = await FogHarness.StartAsync(cloud.Uri, new()
        {
            ["EdgeBroker:AllowAnonymousEdges"] = "false",
            ["EdgeBroker:Edges:edge-1"] = EdgePassword,
            ["EdgeBroker:Edges:edge-2"] = CompromisedPassword,
        });

        // The old fog session's identity, with no password and with a wrong one: 0x86.
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await TryConnectAsync(fog.EdgePort, "fog-" + fog.FogId, "fog", null));
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await TryConnectAsync(fog.EdgePort, "fog-" + fog.FogId, "fog", "guess-guess"));
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await TryConnectAsync(fog.EdgePort, "eavesdropper", null, null));

        // A compromised camera with valid credentials tries to read everyone's crops.
        using var spy = await ConnectAsync(fog.EdgePort, "edge-2", CompromisedPassword);
        var spied = 0;
        spy.ApplicationMessageReceivedAsync += _ =>
        {
            Interlocked.Increment(ref spied);
            return Task.CompletedTask;
        };
        var subscribe = await spy.SubscribeAsync(
            new MqttClientSubscribeOptionsBuilder().WithTopicFilter(Topics.AllEdgeFaces).WithTopicFilter("#").Build(), TestContext.Current.CancellationToken);
        Assert.All(subscribe.Items, i => Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, i.ResultCode));

        using var edge = await ConnectAsync(fog.EdgePort, "edge-1", EdgePassword);
        var headers = new MessageHeaderFactory("edge-1");
        var jpeg = Face();
        for (var i = 0; i < 40; i++)
        {
            var ack = await FogHarness.PublishCropAsync(edge, "edge-1", jpeg, DateTimeOffset.UtcNow.AddSeconds(-20), headers);
            Assert.True(ack.IsSuccess, $"crop {i}: {ack.ReasonCode}");
        }

        var counters = fog.App.Services.GetRequiredService<FogCounters>();
        await Eventually.WaitUntil(() => counters.CropsInferred == 40, Timeout, "all 40 crops inferred by the fog");
        Assert.Equal(0, spied);
        Assert.True(edge.IsConnected && spy.IsConnected);
    }

    [Theory]
    [InlineData("EdgeBroker:AllowAnonymousEdges", "false", "EdgeBroker:Edges is empty")]
    [InlineData("EdgeBroker:Edges:edge-1", "change-me", "placeholder")]
    [InlineData("EdgeBroker:Edges:edge-1", "short", "shorter than 8")]
    [InlineData("EdgeBroker:Embedded", "false", "EdgeBroker:FogPassword is empty")]
    public async Task OpenOrPlaceholderConfiguration_RefusesToStart(string key, string value, string expected)
    {
        await using var cloud = new TestBroker();
        await cloud.StartAsync();
        var settings = new Dictionary<string, string?> { ["EdgeBroker:AllowAnonymousEdges"] = "false", ["EdgeBroker:External"] = "mqtt://127.0.0.1:1", [key] = value };
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => FogHarness.StartAsync(cloud.Uri, settings));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EdgePasswords_FromACredentialsFile_HyphenatedIdsIncluded()
    {
        await using var cloud = new TestBroker();
        await cloud.StartAsync();
        var file = Path.Combine(Directory.CreateTempSubdirectory("foglens-edges-").FullName, "edges");
        await File.WriteAllTextAsync(file, $"# edge credentials\nedge-1 {EdgePassword}\n\nedge-2\t{CompromisedPassword}\n", TestContext.Current.CancellationToken);
        await using (var fog = await FogHarness.StartAsync(cloud.Uri, new() { ["EdgeBroker:AllowAnonymousEdges"] = "false", ["EdgeBroker:EdgesFile"] = file }))
        {
            using var edge = await ConnectAsync(fog.EdgePort, "edge-1", EdgePassword);
            Assert.True(edge.IsConnected);
            Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await TryConnectAsync(fog.EdgePort, "edge-2", "edge-2", EdgePassword));
        }

        await File.AppendAllTextAsync(file, "Not An Id\n", TestContext.Current.CancellationToken);
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => FogHarness.StartAsync(cloud.Uri, new() { ["EdgeBroker:EdgesFile"] = file }));
        Assert.Contains("line 5", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JpegDeclaringAHugeImage_IsCountedCorrupt_BeforeAnyDecode()
    {
        await using var cloud = new TestBroker();
        await cloud.StartAsync();
        await using var fog = await FogHarness.StartAsync(cloud.Uri);
        using var edge = await fog.ConnectEdgeAsync("edge-b");
        var headers = new MessageHeaderFactory("edge-b");
        var bomb = DeclareSize(Face(), 20000, 20000);
        Assert.True(bomb.Length < 16 * 1024);
        var counters = fog.App.Services.GetRequiredService<FogCounters>();

        // Warm up the path with one honest crop, so the measurement below sees only the bomb.
        await FogHarness.PublishCropAsync(edge, "edge-b", Face(), DateTimeOffset.UtcNow, headers);
        await Eventually.WaitUntil(() => counters.CropsInferred == 1, Timeout, "the honest crop inferred");
        GC.Collect();
        var before = Process.GetCurrentProcess().WorkingSet64;
        var ack = await FogHarness.PublishCropAsync(edge, "edge-b", bomb, DateTimeOffset.UtcNow, headers);
        var grown = Process.GetCurrentProcess().WorkingSet64 - before;

        Assert.Equal(MqttClientPublishReasonCode.PayloadFormatInvalid, ack.ReasonCode);
        Assert.Equal(1, counters.CorruptImages);
        Assert.Equal(1, counters.CropsInferred);
        Assert.True(grown < 50L * 1024 * 1024, $"fog memory grew by {grown / (1024 * 1024)} MB");
    }

    /// <summary>Rewrites the frame header (SOF) of a JPEG so it declares the given size; the data stays small.</summary>
    internal static byte[] DeclareSize(byte[] jpeg, int width, int height)
    {
        var copy = (byte[])jpeg.Clone();
        for (var i = 2; i + 9 < copy.Length; i++)
        {
            if (copy[i] == 0xFF && copy[i + 1] is 0xC0 or 0xC2)
            {
                BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(i + 5, 2), (ushort)height);
                BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(i + 7, 2), (ushort)width);
                return copy;
            }
        }

        throw new InvalidOperationException("no SOF marker");
    }

    private static byte[] Face()
    {
        using var messi = Cv2.ImRead(TestPaths.RequireInstalled(Path.Combine(TestPaths.OpenCvSamples, "messi5.jpg"), "opencv-doc"));
        using var crop = new Mat(messi, new Rect(190, 60, 90, 90));
        return crop.ImEncode(".jpg");
    }

    private static async Task<IMqttClient> ConnectAsync(int port, string clientId, string password)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(Options(port, clientId, clientId, password), TestContext.Current.CancellationToken);
        return client;
    }

    private static async Task<MqttClientConnectResultCode> TryConnectAsync(int port, string clientId, string? user, string? password)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        try
        {
            return (await client.ConnectAsync(Options(port, clientId, user, password), TestContext.Current.CancellationToken)).ResultCode;
        }
        catch (MqttConnectingFailedException ex) when (Enum.GetValues<MqttClientConnectResultCode>().FirstOrDefault(c => ex.Message.Contains(c.ToString(), StringComparison.Ordinal)) is var code && code != MqttClientConnectResultCode.Success)
        {
            return code; // MQTTnet 5 reports a refusing CONNACK as this exception, the reason code in its message
        }
    }

    private static MqttClientOptions Options(int port, string clientId, string? user, string? password)
    {
        var builder = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId(clientId).WithProtocolVersion(MqttProtocolVersion.V500);
        return (user is null ? builder : builder.WithCredentials(user, password)).Build();
    }
}
