using FogLens.Contracts;
using FogLens.Messaging;
using Microsoft.Extensions.Options;
using MQTTnet.Protocol;
using MQTTnet.Server;
using FogLens.FogService.Common;

namespace FogLens.FogService.Broker;

/// <summary>
/// The MQTTnet broker the edge agents connect to. Authenticates each edge (client id = user name =
/// edge id, password from configuration, compared in constant time), and enforces the topic ACL: an
/// edge may publish only its own faces and status topics and subscribe to nothing; oversized packets are
/// cut at the framing layer (<see cref="EmbeddedBroker"/>). The fog has no network session on its own
/// broker: every accepted publish is consumed inside the publish interceptor by <see cref="CropIntake"/>,
/// and the PUBACK waits for it (back-pressure), so there is no account whose subscription reads the crops
/// and nothing a device on the camera network could impersonate. Refusals are counted and logged.
/// </summary>
public sealed partial class EmbeddedEdgeBroker(
    IOptions<EdgeBrokerOptions> options, CropIntake intake, FogCounters counters, ILogger<EmbeddedEdgeBroker> logger) : EmbeddedBroker(logger)
{
    private readonly EdgeBrokerOptions _options = options.Value;

    protected override BrokerEndpoint Endpoint => new(_options.Embedded, _options.Port, _options.BindAll, PersistentSessions: false, _options.Limits());

    protected override void OnStarted(string bind)
    {
        if (_options.Edges.Count == 0)
        {
            LogOpenBroker(_options.Port);
        }

        LogStarted(_options.Port, bind, _options.Edges.Count);
    }

    protected override void OnTransportRefused() => counters.EdgeMessageRejected();

    protected override Task ValidateConnectionAsync(ValidatingConnectionEventArgs e)
    {
        if (!NodeId.IsValid(e.ClientId))
        {
            e.ReasonCode = MqttConnectReasonCode.ClientIdentifierNotValid;
            return Refuse(e, "client id is not a valid edge id");
        }

        if (_options.Edges.Count == 0)
        {
            return Task.CompletedTask; // AllowAnonymousEdges, checked at start
        }

        var known = _options.Edges.TryGetValue(e.ClientId, out var password);
        var ok = known && e.UserName == e.ClientId && SharedSecret.Matches(e.Password, password!);
        return Refuse(e, ok ? null : "unknown edge or wrong password");
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

    protected override async Task InterceptPublishAsync(InterceptingPublishEventArgs e)
    {
        e.ProcessPublish = false; // consumed here: never routed to subscribers, never retained
        if (e.ClientId is null)
        {
            return;
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
            e.Response.ReasonCode = MqttPubAckReasonCode.NotAuthorized;
            counters.EdgeMessageRejected();
            LogPublishRefused(e.ClientId, topic.Length > 120 ? topic[..120] : topic, problem);
            return;
        }

        try
        {
            var outcome = await intake.HandleAsync(topic, System.Buffers.BuffersExtensions.ToArray(e.ApplicationMessage.Payload), e.CancellationToken);
            e.Response.ReasonCode = outcome is IntakeOutcome.Rejected or IntakeOutcome.CorruptImage
                ? MqttPubAckReasonCode.PayloadFormatInvalid // dropped by the edge, counted here
                : MqttPubAckReasonCode.Success;
        }
        catch (OperationCanceledException)
        {
            e.Response.ReasonCode = MqttPubAckReasonCode.UnspecifiedError; // the fog is stopping: the edge keeps the crop and resends
        }
    }

    protected override Task InterceptSubscriptionAsync(InterceptingSubscriptionEventArgs e)
    {
        // Nobody reads the edge broker over the network: edges publish, the fog consumes in-process.
        e.ProcessSubscription = false;
        e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
        counters.EdgeMessageRejected();
        LogSubscribeRefused(e.ClientId, e.TopicFilter.Topic);
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
