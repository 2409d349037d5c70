using System.Buffers;
using System.Collections.Concurrent;
using FogLens.Compression;
using FogLens.Contracts;
using FogLens.Contracts.Messages;
using FogLens.Contracts.Serialization;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace FogLens.CloudPortal.Tests;

/// <summary>A fog as the portal sees it: an MQTT v5 client that publishes status, demographics and updates and receives tasks and announcements.</summary>
internal sealed class TestFog : IAsyncDisposable
{
    private readonly IMqttClient _client;
    private readonly MessageHeaderFactory _headers;

    private TestFog(string id, IMqttClient client)
    {
        Id = id;
        _client = client;
        _headers = new MessageHeaderFactory(id);
    }

    public string Id { get; }

    public ConcurrentQueue<RoundTask> Tasks { get; } = new();

    public ConcurrentQueue<ModelAnnouncement> Announcements { get; } = new();

    public static async Task<TestFog> ConnectAsync(int port, string id, string? password = null, bool subscribe = true)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var fog = new TestFog(id, client);
        var parser = new MessageParser();
        client.ApplicationMessageReceivedAsync += e =>
        {
            var payload = e.ApplicationMessage.Payload.ToArray();
            if (payload.Length == 0)
            {
                return Task.CompletedTask;
            }

            if (e.ApplicationMessage.Topic == Topics.ModelAnnouncement)
            {
                var a = parser.ParseModelAnnouncement(e.ApplicationMessage.Topic, payload);
                if (a.IsSuccess)
                {
                    fog.Announcements.Enqueue(a.Value!);
                }
            }
            else
            {
                var t = parser.ParseRoundTask(e.ApplicationMessage.Topic, payload);
                if (t.IsSuccess)
                {
                    fog.Tasks.Enqueue(t.Value!);
                }
            }

            return Task.CompletedTask;
        };
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId(id).WithProtocolVersion(MqttProtocolVersion.V500);
        if (password is not null)
        {
            options = options.WithCredentials(id, password);
        }

        var result = await client.ConnectAsync(options.Build(), TestContext.Current.CancellationToken);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new InvalidOperationException($"connect refused: {result.ResultCode}");
        }

        if (subscribe)
        {
            await client.SubscribeAsync(Topics.AllRoundTasks, MqttQualityOfServiceLevel.AtLeastOnce, TestContext.Current.CancellationToken);
            await client.SubscribeAsync(Topics.ModelAnnouncement, MqttQualityOfServiceLevel.AtLeastOnce, TestContext.Current.CancellationToken);
        }

        return fog;
    }

    public MessageHeader NextHeader() => _headers.Next();

    public Task<MqttClientPublishResult> PublishAsync(string topic, byte[] payload) =>
        _client.PublishAsync(
            new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(),
            TestContext.Current.CancellationToken);

    public Task<MqttClientPublishResult> StatusAsync(int localSamples = 500, IReadOnlyList<EdgeSummary>? edges = null, string? site = null) =>
        PublishAsync(Topics.FogStatus(Id), JsonMessages.Serialize(new FogStatus(NextHeader(), NodeState.Online, "age-v1", 2, 100, 100, 0, 0, 0, 0, false, localSamples, edges, site)));

    public static FogDemographics Window(MessageHeader header, string edge, DateTimeOffset start, params (string Label, int MinAge, int? MaxAge, int Count)[] groups) =>
        new(header, edge, "cam-1", start, start.AddMinutes(1), groups.Sum(g => g.Count), 30, [.. groups.Select(g => new AgeGroupCount(g.Label, g.MinAge, g.MaxAge, g.Count))], "age-v1");

    public Task<MqttClientPublishResult> DemographicsAsync(FogDemographics window) =>
        PublishAsync(Topics.FogDemographics(Id), JsonMessages.Serialize(window));

    public Task<MqttClientPublishResult> UpdateAsync(RoundTask task, byte[] codecPayload, int samples, long? downloadBytes = null) =>
        PublishAsync(
            Topics.RoundUpdate(task.RoundId, Id),
            BinaryFrame.Encode(BinaryFrameKind.ModelUpdate, new ModelUpdateMetadata(NextHeader(), task.RoundId, task.ModelVersion, task.Codec, samples, 10, 0.5, 3.0, downloadBytes), codecPayload));

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync();
        }

        _client.Dispose();
    }
}
