using System.Buffers;
using FogLens.Contracts;
using FogLens.Messaging;
using FogLens.Messaging.Inbound;
using Microsoft.Extensions.Options;
using FogLens.CloudPortal.Common;

namespace FogLens.CloudPortal.Broker;

/// <summary>
/// The portal's session on an external broker (Mosquitto) when <c>Broker:Embedded</c> is false: a
/// persistent QoS 1 session (the broker keeps messages while the portal is down) subscribed to the fogs'
/// demographics, status and updates. A message is acknowledged only after it is stored: while the
/// database is unavailable the handler retries with back-off instead of returning. Replicas subscribe through
/// the shared subscription <c>$share/{Broker:SharedSubscriptionGroup}/...</c>, each with its own session
/// (<c>portal-{Portal:InstanceId}</c>), so the broker hands each message to one of them.
/// </summary>
public sealed partial class ExternalCloudLink : BackgroundService, ICloudBus
{
    private readonly MqttSession _session;
    private readonly List<MqttSession> _ingestOnly = [];
    private readonly InboundDispatcher _inbound;
    private readonly ILogger<ExternalCloudLink> _logger;

    public ExternalCloudLink(IOptions<BrokerOptions> options, IOptions<PortalOptions> portal, InboundDispatcher inbound, ILogger<ExternalCloudLink> logger)
    {
        var o = options.Value;
        _inbound = inbound;
        _logger = logger;
        // Several sessions in the shared group, each handling several messages at once, let the broker hand this replica
        // enough windows to store them in batches; the first one also publishes.
        var sessions = string.IsNullOrEmpty(o.SharedSubscriptionGroup) ? 1 : o.IngestSessions;
        _session = Create(0);
        for (var i = 1; i < sessions; i++)
        {
            _ingestOnly.Add(Create(i));
        }

        // Late windows (an outage's backlog, see WindowLane) come through sessions of their own: the broker queues each
        // session's messages in order, so on the live sessions the windows closing now would wait behind the backlog.
        var lateSessions = string.IsNullOrEmpty(o.SharedSubscriptionGroup) ? 1 : o.LateSessions;
        for (var i = 0; i < lateSessions; i++)
        {
            _ingestOnly.Add(Create(i, late: true));
        }

        MqttSession Create(int index, bool late = false)
        {
            var session = new MqttSession(
                new MqttEndpointOptions
                {
                    Broker = o.External ?? new Uri("mqtt://127.0.0.1:1883"),
                    ClientId = late ? $"{portal.Value.BrokerClientId}-late{index}" : index == 0 ? portal.Value.BrokerClientId : $"{portal.Value.BrokerClientId}-s{index}",
                    Username = o.PortalUsername,
                    Password = o.PortalPassword,
                    CaCertificatePath = o.CaCertificatePath,
                    PersistentSession = true,
                    MaxConcurrentMessages = o.IngestConcurrency,
                    MaxPacketBytes = o.MaxPacketBytes, // global model announcements and tasks are small; same limit as the embedded broker
                },
                logger);
            foreach (var filter in late ? [Topics.AllFogLateDemographics] : new[] { Topics.AllFogDemographics, Topics.AllFogStatus, Topics.AllRoundUpdates })
            {
                session.Subscribe(SharedFilter(o.SharedSubscriptionGroup, filter));
            }

            return session;
        }
    }

    /// <summary>The filter a replica subscribes to: <c>$share/{group}/{filter}</c>, or the plain filter without a group.</summary>
    public static string SharedFilter(string? group, string filter) => string.IsNullOrEmpty(group) ? filter : $"$share/{group}/{filter}";

    public bool IsConnected => _session.IsConnected;

    public async Task<bool> PublishAsync(string topic, ReadOnlyMemory<byte> payload, bool retain, CancellationToken cancellationToken) =>
        await _session.PublishAsync(topic, payload, retain, cancellationToken) == PublishOutcome.Acknowledged;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var all = new[] { _session }.Concat(_ingestOnly).ToList();
        foreach (var session in all)
        {
            session.OnMessage((topic, payload) => HandleAsync(topic, payload, stoppingToken));
        }

        await Task.WhenAll(all.Select(s => s.RunAsync(stoppingToken)));
    }

    private async Task HandleAsync(string topic, ReadOnlySequence<byte> payload, CancellationToken stoppingToken)
    {
        var bytes = payload.ToArray();
        var delay = TimeSpan.FromMilliseconds(200);
        while (await _inbound.DispatchAsync(topic, bytes, stoppingToken) == IngestOutcome.Retry && !stoppingToken.IsCancellationRequested)
        {
            LogRetrying(topic, delay.TotalSeconds);
            await Task.Delay(delay, stoppingToken);
            delay = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(10).Ticks, delay.Ticks * 2));
        }
    }

    public override void Dispose()
    {
        foreach (var session in _ingestOnly.Prepend(_session))
        {
            session.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        base.Dispose();
    }

    [LoggerMessage(EventId = 4201, Level = LogLevel.Warning, Message = "Could not store the message on {Topic}; retrying in {Seconds:F1} s before acknowledging it")]
    private partial void LogRetrying(string topic, double seconds);
}
