using FogLens.Contracts;
using FogLens.Messaging;
using FogLens.Messaging.Inbound;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;
using FogLens.CloudPortal.Common;

namespace FogLens.CloudPortal.Broker;

/// <summary>
/// The embedded MQTTnet broker fogs connect to. Each fog authenticates (client id = user name = fog id,
/// password compared in constant time) and may publish only its own demographics, status and round
/// updates, and subscribe only to round tasks and the model announcement. Messages for the portal are
/// stored through the <see cref="InboundDispatcher"/> inside the broker's publish interceptor, so the fog's PUBACK is
/// sent only after the database commit; when storing fails the PUBACK carries an error and the fog's
/// outbox resends. Refusals are counted and logged.
/// </summary>
public sealed partial class CloudBroker(
    IOptions<BrokerOptions> options, InboundDispatcher inbound, PortalCounters counters, ILogger<CloudBroker> logger) : EmbeddedBroker(logger), ICloudBus
{
    /// <summary>Sender id of messages the portal injects.</summary>
    public const string PortalClientId = "portal";

    private readonly BrokerOptions _options = options.Value;
    public bool IsConnected => IsRunning;

    public int Port => _options.Port;

    protected override BrokerEndpoint Endpoint => new(_options.Embedded, _options.Port, _options.BindAll, PersistentSessions: true, _options.Limits());

    protected override void OnTransportRefused() => counters.ConnectionRefused();

    protected override void OnStarted(string bind)
    {
        if (_options.Fogs.Count == 0)
        {
            LogOpenBroker(_options.Port);
        }

        LogStarted(_options.Port, bind, _options.Fogs.Count);
    }

    public async Task<bool> PublishAsync(string topic, ReadOnlyMemory<byte> payload, bool retain, CancellationToken cancellationToken)
    {
        if (Server is not { IsStarted: true } server)
        {
            return false;
        }

        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload.ToArray())
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(retain)
            .Build();
        await server.InjectApplicationMessage(new InjectedMqttApplicationMessage(message) { SenderClientId = PortalClientId }, cancellationToken);
        return true;
    }

    protected override Task ValidateConnectionAsync(ValidatingConnectionEventArgs e)
    {
        string? problem = null;
        if (!NodeId.IsValid(e.ClientId) || e.ClientId == PortalClientId)
        {
            e.ReasonCode = MqttConnectReasonCode.ClientIdentifierNotValid;
            problem = "client id is not a valid fog id";
        }
        else if (_options.Fogs.Count > 0)
        {
            var known = _options.Fogs.TryGetValue(e.ClientId, out var password);
            if (!(known && e.UserName == e.ClientId && SharedSecret.Matches(e.Password, password!)))
            {
                e.ReasonCode = MqttConnectReasonCode.BadUserNameOrPassword;
                problem = "unknown fog or wrong password";
            }
        }

        if (problem is not null)
        {
            counters.ConnectionRefused();
            LogConnectionRefused(e.ClientId, e.RemoteEndPoint?.ToString() ?? "unknown", problem);
        }

        return Task.CompletedTask;
    }

    protected override async Task InterceptPublishAsync(InterceptingPublishEventArgs e)
    {
        if (e.ClientId is null || e.ClientId == PortalClientId)
        {
            return; // injected by the portal
        }

        var topic = e.ApplicationMessage.Topic;
        var size = e.ApplicationMessage.Payload.Length;
        string? problem = null;
        if (size > _options.MaxPacketBytes)
        {
            problem = $"payload of {size} bytes exceeds {_options.MaxPacketBytes}";
        }
        else if (!Topics.TryParse(topic, out var info) || info.NodeId != e.ClientId
            || info.Kind is not (TopicKind.FogDemographics or TopicKind.FogLateDemographics or TopicKind.FogStatus or TopicKind.RoundUpdate))
        {
            problem = "fogs may publish only foglens/v1/fog/{own id}/demographics, /demographics/late, /status and fl/round/{n}/update/{own id}";
        }

        if (problem is not null)
        {
            e.ProcessPublish = false;
            e.Response.ReasonCode = MqttPubAckReasonCode.NotAuthorized;
            counters.PublishRefused();
            LogPublishRefused(e.ClientId, topic.Length > 120 ? topic[..120] : topic, problem);
            return;
        }

        // Consumed here; not forwarded or retained. The PUBACK waits for this.
        e.ProcessPublish = false;
        var outcome = await inbound.DispatchAsync(topic, System.Buffers.BuffersExtensions.ToArray(e.ApplicationMessage.Payload), e.CancellationToken);
        e.Response.ReasonCode = outcome switch
        {
            IngestOutcome.Retry => MqttPubAckReasonCode.UnspecifiedError, // the fog's outbox keeps it and resends
            IngestOutcome.Rejected => MqttPubAckReasonCode.PayloadFormatInvalid, // dropped by the fog, counted here
            _ => MqttPubAckReasonCode.Success,
        };
    }

    protected override Task InterceptSubscriptionAsync(InterceptingSubscriptionEventArgs e)
    {
        var filter = e.TopicFilter.Topic;
        var allowed = filter == Topics.AllRoundTasks || filter == Topics.ModelAnnouncement
            || (Topics.TryParse(filter, out var info) && info.Kind == TopicKind.RoundTask);
        if (!allowed)
        {
            e.ProcessSubscription = false;
            e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
            counters.PublishRefused();
            LogSubscribeRefused(e.ClientId, filter);
        }

        return Task.CompletedTask;
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Cloud broker listening on port {Port} ({Bind}), {Fogs} fog credentials configured")]
    private partial void LogStarted(int port, string bind, int fogs);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Cloud broker on port {Port} has no fog credentials configured: any fog id may connect (development mode)")]
    private partial void LogOpenBroker(int port);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "Refused connection of {ClientId} from {Endpoint}: {Reason}")]
    private partial void LogConnectionRefused(string clientId, string endpoint, string reason);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Warning, Message = "Refused publish by {ClientId} on {Topic}: {Reason}")]
    private partial void LogPublishRefused(string clientId, string topic, string reason);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Warning, Message = "Refused subscription by {ClientId} to {Topic}")]
    private partial void LogSubscribeRefused(string clientId, string topic);
}
