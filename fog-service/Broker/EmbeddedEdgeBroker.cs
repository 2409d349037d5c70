using FogLens.Contracts;
using FogLens.Messaging;
using Microsoft.Extensions.Options;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace FogLens.FogService.Broker;

/// <summary>
/// The MQTTnet broker the edge agents connect to. Authenticates each edge (client id = user name =
/// edge id, password from configuration, compared in constant time), and enforces the topic ACL: an
/// edge may publish only its own faces and status topics and subscribe to nothing; oversized publishes
/// are refused. Only the fog's own session may subscribe. Refusals are counted and logged; the broker
/// keeps serving.
/// </summary>
public sealed partial class EmbeddedEdgeBroker(
    IOptions<EdgeBrokerOptions> options, IOptions<FogOptions> fog, FogCounters counters, ILogger<EmbeddedEdgeBroker> logger) : EmbeddedBroker
{
    private readonly EdgeBrokerOptions _options = options.Value;
    /// <summary>MQTT client id of the fog's own subscriber session.</summary>
    public string FogClientId => "fog-" + fog.Value.FogId;

    /// <summary>
    /// Edges are refused (server unavailable; they retry with back-off) until the fog's own session has
    /// subscribed, so no crop can be published while nobody would receive it.
    /// </summary>
    public bool AcceptingEdges { get; set; }

    protected override BrokerEndpoint Endpoint => new(_options.Embedded, _options.Port, _options.BindAll, PersistentSessions: false);

    protected override void OnStarted(string bind)
    {
        if (_options.Edges.Count == 0)
        {
            LogOpenBroker(_options.Port);
        }

        LogStarted(_options.Port, bind, _options.Edges.Count);
    }

    protected override Task ValidateConnectionAsync(ValidatingConnectionEventArgs e)
    {
        if (e.ClientId == FogClientId)
        {
            var ok = e.UserName == _options.FogUsername && (_options.FogPassword is null || SharedSecret.Matches(e.Password, _options.FogPassword));
            return Refuse(e, ok ? null : "fog session credentials are wrong");
        }

        if (!AcceptingEdges)
        {
            e.ReasonCode = MqttConnectReasonCode.ServerUnavailable;
            return Refuse(e, "the fog is not ready to receive crops yet");
        }

        if (!NodeId.IsValid(e.ClientId))
        {
            e.ReasonCode = MqttConnectReasonCode.ClientIdentifierNotValid;
            return Refuse(e, "client id is not a valid edge id");
        }

        if (_options.Edges.Count == 0)
        {
            return Task.CompletedTask;
        }

        var known = _options.Edges.TryGetValue(e.ClientId, out var password);
        var ok2 = known && e.UserName == e.ClientId && SharedSecret.Matches(e.Password, password!);
        return Refuse(e, ok2 ? null : "unknown edge or wrong password");
    }

    private Task Refuse(ValidatingConnectionEventArgs e, string? reason)
    {
        if (reason is null)
        {
            return Task.CompletedTask;
        }

        if (e.ReasonCode == MqttConnectReasonCode.Success)
        {
            e.ReasonCode = MqttConnectReasonCode.BadUserNameOrPassword;
        }

        counters.EdgeMessageRejected();
        LogConnectionRefused(e.ClientId, e.RemoteEndPoint?.ToString() ?? "unknown", reason);
        return Task.CompletedTask;
    }

    protected override Task InterceptPublishAsync(InterceptingPublishEventArgs e)
    {
        if (e.ClientId == FogClientId || e.ClientId is null)
        {
            return Task.CompletedTask;
        }

        var topic = e.ApplicationMessage.Topic;
        var size = e.ApplicationMessage.Payload.Length;
        string? problem = null;
        if (size > _options.MaxPacketBytes)
        {
            problem = $"payload of {size} bytes exceeds {_options.MaxPacketBytes}";
        }
        else if (!Topics.TryParse(topic, out var info) || info.NodeId != e.ClientId || info.Kind is not (TopicKind.EdgeFaces or TopicKind.EdgeStatus))
        {
            problem = "edges may publish only foglens/v1/edge/{own id}/faces and /status";
        }

        if (problem is not null)
        {
            e.ProcessPublish = false;
            e.Response.ReasonCode = MqttPubAckReasonCode.NotAuthorized;
            counters.EdgeMessageRejected();
            LogPublishRefused(e.ClientId, topic.Length > 120 ? topic[..120] : topic, problem);
        }

        return Task.CompletedTask;
    }

    protected override Task InterceptSubscriptionAsync(InterceptingSubscriptionEventArgs e)
    {
        if (e.ClientId != FogClientId)
        {
            e.ProcessSubscription = false;
            e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
            counters.EdgeMessageRejected();
            LogSubscribeRefused(e.ClientId, e.TopicFilter.Topic);
        }

        return Task.CompletedTask;
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Edge broker listening on port {Port} ({Bind}), {Edges} edge credentials configured")]
    private partial void LogStarted(int port, string bind, int edges);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Edge broker on port {Port} has no edge credentials configured: any edge id may connect (development mode)")]
    private partial void LogOpenBroker(int port);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Refused connection of {ClientId} from {Endpoint}: {Reason}")]
    private partial void LogConnectionRefused(string clientId, string endpoint, string reason);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "Refused publish by {ClientId} on {Topic}: {Reason}")]
    private partial void LogPublishRefused(string clientId, string topic, string reason);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "Refused subscription by {ClientId} to {Topic}")]
    private partial void LogSubscribeRefused(string clientId, string topic);
}
