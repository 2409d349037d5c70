using FogLens.Contracts;
using FogLens.Contracts.Messages;
using FogLens.Contracts.Serialization;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace FogLens.Cli.Load;

/// <summary>
/// One fog as the portal sees it: an MQTT v5 client with the fog's credentials that publishes demographics windows of
/// its edges and its status with QoS 1, keeping at most <see cref="MaxInFlight"/> publishes unacknowledged (as a fog's
/// outbox sender does with the broker's receive maximum).
/// </summary>
internal sealed class SimulatedFog : IAsyncDisposable
{
    public const int MaxInFlight = 64;

    private static readonly AgeGroupCount[] Groups =
    [
        new("10-19", 10, 19, 2), new("20-29", 20, 29, 4), new("30-39", 30, 39, 3), new("40-49", 40, 49, 2), new("50-59", 50, 59, 1),
    ];

    private readonly IMqttClient _client;
    private readonly MessageHeaderFactory _headers;
    private readonly SemaphoreSlim _inFlight = new(MaxInFlight, MaxInFlight);
    private long _errors;

    private SimulatedFog(string id, IMqttClient client)
    {
        Id = id;
        _client = client;
        _headers = new MessageHeaderFactory(id);
    }

    public string Id { get; }

    public long Errors => Interlocked.Read(ref _errors);

    public static async Task<SimulatedFog> ConnectAsync(Uri broker, string id, string password, CancellationToken cancellationToken) =>
        new(id, await ConnectClientAsync(broker, id, password, cancellationToken));

    /// <summary>An MQTT v5 client logged in as <paramref name="id"/> (client id = user name), as fogs and edges log in.</summary>
    internal static async Task<IMqttClient> ConnectClientAsync(Uri broker, string id, string password, CancellationToken cancellationToken)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder().WithTcpServer(broker.Host, broker.Port).WithClientId(id).WithCredentials(id, password)
            .WithProtocolVersion(MqttProtocolVersion.V500).WithTimeout(TimeSpan.FromSeconds(30)).WithKeepAlivePeriod(TimeSpan.FromSeconds(30)).Build();
        var result = await client.ConnectAsync(options, cancellationToken);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            client.Dispose();
            throw new InvalidOperationException($"{id}: the broker refused the connection ({result.ResultCode})");
        }

        return client;
    }

    /// <summary>
    /// Publishes the window of <paramref name="edge"/> that ended at <paramref name="end"/>; returns its message id. A
    /// <paramref name="late"/> one (an outage's backlog) goes on the late topic, as a fog sends what waited in its outbox.
    /// </summary>
    public async Task<Guid> PublishWindowAsync(int edge, DateTimeOffset end, TimeSpan length, List<Task> pending, CancellationToken cancellationToken, bool late = false)
    {
        var header = _headers.Next();
        var edgeId = $"{Id}-e{edge}";
        var window = new FogDemographics(header, edgeId, edgeId + "-cam", end - length, end, 12, 33.5, Groups, "age-v1-cam");
        await StartAsync(late ? Topics.FogLateDemographics(Id) : Topics.FogDemographics(Id), JsonMessages.Serialize(window), pending, cancellationToken);
        return header.MessageId;
    }

    public Task PublishStatusAsync(int edges, List<Task> pending, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        var summaries = Enumerable.Range(0, edges).Select(e => new EdgeSummary($"{Id}-e{e}", NodeState.Online, $"{Id}-e{e}-cam", 25, 10, 2, 100, 0, now)).ToList();
        var status = new FogStatus(_headers.Next(), NodeState.Online, "age-v1-cam", edges, 1000, 1000, 0, 0, 0, 20, false, 0, summaries);
        return StartAsync(Topics.FogStatus(Id), JsonMessages.Serialize(status), pending, cancellationToken);
    }

    private async Task StartAsync(string topic, byte[] payload, List<Task> pending, CancellationToken cancellationToken)
    {
        await _inFlight.WaitAsync(cancellationToken);
        var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
        pending.Add(PublishAsync(message));
    }

    private async Task PublishAsync(MqttApplicationMessage message)
    {
        try
        {
            var result = await _client.PublishAsync(message, CancellationToken.None);
            if (!result.IsSuccess)
            {
                Interlocked.Increment(ref _errors);
            }
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or MQTTnet.Exceptions.MqttClientNotConnectedException or OperationCanceledException)
        {
            Interlocked.Increment(ref _errors);
        }
        finally
        {
            _inFlight.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync();
        }

        _client.Dispose();
        _inFlight.Dispose();
    }
}
