using System.Buffers;
using FogLens.Contracts;
using FogLens.Contracts.Serialization;
using FogLens.FogService.Broker;
using FogLens.Messaging;

namespace FogLens.FogService.Inference;

/// <summary>
/// The fog's subscriber session on the edge broker: parses face-crop frames (typed rejection of
/// malformed, oversized, wrong-sender or wrong-topic messages, counted and logged), deduplicates
/// redeliveries by message id, and queues crops for inference; tracks which edges are online.
/// </summary>
public sealed partial class CropIntake(
    [FromKeyedServices(CropIntake.SessionKey)] MqttSession session,
    EmbeddedEdgeBroker broker,
    CropChannel queue,
    FogCounters counters,
    EdgeRegistry edges,
    TimeProvider time,
    ILogger<CropIntake> logger) : BackgroundService
{
    public const string SessionKey = "edge-broker";
    private readonly MessageParser _parser = new();
    private readonly MessageIdWindow _seen = new(200_000);

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        session.Subscribe(Topics.AllEdgeFaces);
        session.Subscribe(Topics.AllEdgeStatus);
        session.OnMessage((topic, payload) => OnMessageAsync(topic, payload, stoppingToken));
        session.Connected = _ =>
        {
            broker.AcceptingEdges = true;
            return Task.CompletedTask;
        };
        return session.RunAsync(stoppingToken);
    }

    private async Task OnMessageAsync(string topic, ReadOnlySequence<byte> payload, CancellationToken cancellationToken)
    {
        if (topic.EndsWith("/status", StringComparison.Ordinal))
        {
            var status = _parser.ParseEdgeStatus(topic, payload.ToArray());
            if (status.IsSuccess)
            {
                edges.Update(status.Value, time.GetUtcNow());
            }
            else
            {
                counters.CropRejected();
                LogRejected(topic, status.Error.ToString());
            }

            return;
        }

        counters.CropReceived();
        var crop = _parser.ParseFaceCrop(topic, payload.ToArray());
        if (!crop.IsSuccess)
        {
            counters.CropRejected();
            LogRejected(topic, crop.Error.ToString());
            return;
        }

        var metadata = crop.Value.Metadata;
        if (!_seen.TryAdd(metadata.Header.MessageId))
        {
            counters.Duplicate();
            return;
        }

        await queue.EnqueueAsync(new CropWork(metadata.Header.SenderId, metadata.CameraId, metadata.CapturedAt, metadata.Header.MessageId, crop.Value.Payload), cancellationToken);
    }

    [LoggerMessage(EventId = 3201, Level = LogLevel.Warning, Message = "Rejected message on {Topic}: {Error}")]
    private partial void LogRejected(string topic, string error);
}
