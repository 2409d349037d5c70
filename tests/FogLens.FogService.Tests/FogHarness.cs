using FogLens.Contracts;
using FogLens.Contracts.Messages;
using FogLens.Contracts.Serialization;
using FogLens.FogService;
using FogLens.Tests.Shared;
using FogLens.Tests.Shared.Mqtt;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace FogLens.FogService.Tests;

/// <summary>A real fog service (Kestrel on a free port, embedded edge broker on a free port) plus helpers to act as an edge.</summary>
internal sealed class FogHarness : IAsyncDisposable
{
    private readonly string? _ownedData;

    private FogHarness(WebApplication app, int edgePort, string fogId, string? ownedData)
    {
        App = app;
        EdgePort = edgePort;
        FogId = fogId;
        _ownedData = ownedData;
    }

    public WebApplication App { get; }

    public int EdgePort { get; }

    public string FogId { get; }

    public static Task<FogHarness> StartAsync(Uri cloud, Dictionary<string, string?>? extra = null) =>
        PortRetry.StartAsync(() => StartOnceAsync(cloud, extra));

    private static async Task<FogHarness> StartOnceAsync(Uri cloud, Dictionary<string, string?>? extra)
    {
        var edgePort = TestBroker.FreePort();
        var data = Directory.CreateTempSubdirectory("foglens-fog-data-").FullName;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var settings = new Dictionary<string, string?>
        {
            ["Fog:FogId"] = "fog-t",
            ["Fog:DataDirectory"] = data,
            ["Fog:ModelPath"] = Path.Combine(TestPaths.RepoRoot, "models", "age", "age-net.onnx"),
            ["Fog:Window"] = "00:00:02",
            ["Fog:WindowGrace"] = "00:00:00.200",
            ["Fog:StatusInterval"] = "00:00:01",
            ["EdgeBroker:Port"] = edgePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["EdgeBroker:AllowAnonymousEdges"] = "true",
            ["Cloud:Broker"] = cloud.ToString(),
            ["Cloud:MinBackoff"] = "00:00:00.100",
            ["Cloud:MaxBackoff"] = "00:00:00.500",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (k, v) in extra ?? [])
        {
            settings[k] = v;
        }

        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddFogServices();
        var app = builder.Build();
        app.MapFogEndpoints();
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        var broker = app.Services.GetRequiredService<FogLens.FogService.Broker.EmbeddedEdgeBroker>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var embedded = settings.GetValueOrDefault("EdgeBroker:Embedded") != "false";
        while (embedded && !broker.IsRunning)
        {
            Assert.True(DateTime.UtcNow < deadline, "the fog did not become ready for edges");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        return new FogHarness(app, edgePort, "fog-t", settings["Fog:DataDirectory"] == data ? data : null);
    }

    public string HttpAddress => App.Urls.First();

    /// <summary>Connects an MQTT v5 client to the embedded edge broker as <paramref name="edgeId"/>.</summary>
    public async Task<IMqttClient> ConnectEdgeAsync(string edgeId, string? password = null)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", EdgePort).WithClientId(edgeId).WithProtocolVersion(MqttProtocolVersion.V500);
        if (password is not null)
        {
            options = options.WithCredentials(edgeId, password);
        }

        var result = await client.ConnectAsync(options.Build(), TestContext.Current.CancellationToken);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            client.Dispose();
            throw new InvalidOperationException($"connection refused: {result.ResultCode}");
        }

        return client;
    }

    public static async Task<MqttClientPublishResult> PublishCropAsync(IMqttClient client, string edgeId, byte[] jpeg, DateTimeOffset capturedAt, MessageHeaderFactory headers, string camera = "cam-1")
    {
        var metadata = new FaceCropMetadata(headers.Next(), camera, Random.Shared.NextInt64(1, 1_000_000), capturedAt, capturedAt, capturedAt,
            new FaceBox(10, 10, 50, 50), 640, 480, 0.9f, 100f, "blazeface");
        return await PublishRawAsync(client, Topics.EdgeFaces(edgeId), BinaryFrame.Encode(BinaryFrameKind.FaceCrop, metadata, jpeg));
    }

    public static Task<MqttClientPublishResult> PublishRawAsync(IMqttClient client, string topic, byte[] payload) =>
        client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        if (_ownedData is null)
        {
            return;
        }

        try
        {
            Directory.Delete(_ownedData, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}
