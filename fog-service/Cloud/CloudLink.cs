using FogLens.Contracts;
using FogLens.Contracts.Messages;
using FogLens.Contracts.Serialization;
using FogLens.FogService.Demographics;
using FogLens.FogService.Status;
using FogLens.Messaging;
using FogLens.Messaging.Inbound;
using Microsoft.Extensions.Options;
using FogLens.FogService.Common;

namespace FogLens.FogService.Cloud;

/// <summary>
/// The fog's link to the cloud portal's broker. Out: closed demographics windows and model updates go through
/// the durable outbox (so a cloud outage loses nothing; <see cref="WindowLedger"/> and the federated client put
/// them there), and a retained fog status built from the <see cref="FogSnapshot"/> (online; offline as last
/// will and at shutdown). In: round tasks and model announcements go to the <see cref="InboundDispatcher"/>,
/// which hands them to their handlers; this class knows none of them. Open windows are flushed at shutdown.
/// </summary>
public sealed class CloudLink(
    [FromKeyedServices(FogServiceKeys.Cloud)] MqttSession session,
    [FromKeyedServices(FogServiceKeys.Cloud)] OutboxSender sender,
    WindowLedger ledger,
    FogSnapshotSource snapshots,
    InboundDispatcher inbound,
    MessageHeaderFactory headers,
    IOptions<FogOptions> options,
    TimeProvider time) : BackgroundService
{
    private readonly FogOptions _options = options.Value;

    public byte[] Status(NodeState state) => JsonMessages.Serialize(snapshots.Capture().ToStatus(headers.Next(), state) with { Site = _options.Site });

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        PublishWindows(all: true);
        await base.StopAsync(cancellationToken);
        if (session.IsConnected)
        {
            await session.PublishAsync(Topics.FogStatus(_options.FogId), Status(NodeState.Offline), retain: true, cancellationToken);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var statusTopic = Topics.FogStatus(_options.FogId);
        session.Subscribe(Topics.AllRoundTasks);
        session.Subscribe(Topics.ModelAnnouncement);
        session.OnMessage(async (topic, payload) => await inbound.DispatchAsync(topic, System.Buffers.BuffersExtensions.ToArray(payload), stoppingToken));
        session.Connected = ct => session.PublishAsync(statusTopic, Status(NodeState.Online), retain: true, ct);
        var run = session.RunAsync(stoppingToken);
        var drain = sender.RunAsync(stoppingToken);
        var nextStatus = time.GetUtcNow() + _options.StatusInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            PublishWindows(all: false);
            if (time.GetUtcNow() >= nextStatus)
            {
                nextStatus = time.GetUtcNow() + _options.StatusInterval;
                try
                {
                    await session.PublishAsync(statusTopic, Status(NodeState.Online), retain: true, stoppingToken);
                }
                catch (MQTTnet.Exceptions.MqttCommunicationException) when (stoppingToken.IsCancellationRequested)
                {
                    break; // shutting down while the broker link was busy: a stop, not a failure
                }
            }
        }

        await Task.WhenAll(run, drain);
    }

    private void PublishWindows(bool all) => ledger.CloseWindows(time.GetUtcNow(), all); // the ledger logs each window it queues
}
