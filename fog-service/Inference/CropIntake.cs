using FogLens.Contracts;
using FogLens.Contracts.Imaging;
using FogLens.Contracts.Serialization;
using FogLens.FogService.Broker;
using Microsoft.Extensions.Options;

namespace FogLens.FogService.Inference;

/// <summary>What became of one message from an edge.</summary>
public enum IntakeOutcome
{
    /// <summary>Queued for inference, or an edge status recorded.</summary>
    Accepted,

    /// <summary>A redelivery of a crop already taken (same message id).</summary>
    Duplicate,

    /// <summary>Malformed frame or metadata, wrong topic or sender: counted, logged and dropped.</summary>
    Rejected,

    /// <summary>Not a JPEG, or a JPEG declaring more pixels than Fog:MaxCropSide allows: counted as a corrupt image.</summary>
    CorruptImage,
}

/// <summary>
/// Takes every message an edge publishes on the edge broker: parses face-crop frames (typed rejection of
/// malformed, oversized, wrong-sender or wrong-topic messages, counted and logged), refuses images whose
/// JPEG header declares dimensions above the configured bound before anything decodes them, deduplicates
/// redeliveries by message id, and queues crops for inference; records the status of each edge. Called
/// inside the embedded broker's publish interceptor (the PUBACK waits for the queue, which is the
/// back-pressure) or by <see cref="ExternalEdgeSubscriber"/> when the edge broker is external.
/// </summary>
public sealed partial class CropIntake(
    CropChannel queue,
    FogCounters counters,
    EdgeRegistry edges,
    TimeProvider time,
    IOptions<FogOptions> options,
    ILogger<CropIntake> logger)
{
    private readonly MessageParser _parser = new();
    private readonly MessageIdWindow _seen = new(200_000);
    private readonly int _maxSide = options.Value.MaxCropSide;

    public async ValueTask<IntakeOutcome> HandleAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (Topics.TryParse(topic, out var info) && info.Kind == TopicKind.EdgeStatus)
        {
            var status = _parser.ParseEdgeStatus(topic, payload.Span);
            if (!status.IsSuccess)
            {
                return Reject(topic, status.Error.ToString());
            }

            edges.Update(status.Value, time.GetUtcNow());
            return IntakeOutcome.Accepted;
        }

        counters.CropReceived();
        var crop = _parser.ParseFaceCrop(topic, payload);
        if (!crop.IsSuccess)
        {
            return Reject(topic, crop.Error.ToString());
        }

        var metadata = crop.Value.Metadata;
        if (!_seen.TryAdd(metadata.Header.MessageId))
        {
            counters.Duplicate();
            return IntakeOutcome.Duplicate;
        }

        var header = JpegHeader.TryRead(crop.Value.Payload.Span, out var width, out var height);
        if (header != JpegHeaderStatus.Ok || width < 1 || height < 1 || width > _maxSide || height > _maxSide)
        {
            counters.CorruptImage();
            LogImageRefused(metadata.Header.SenderId, metadata.Header.MessageId, header == JpegHeaderStatus.Ok ? $"declares {width}x{height} pixels (bound {_maxSide})" : $"JPEG header: {header}");
            return IntakeOutcome.CorruptImage;
        }

        await queue.EnqueueAsync(new CropWork(metadata.Header.SenderId, metadata.CameraId, metadata.CapturedAt, metadata.Header.MessageId, crop.Value.Payload), cancellationToken);
        return IntakeOutcome.Accepted;
    }

    private IntakeOutcome Reject(string topic, string error)
    {
        counters.CropRejected();
        LogRejected(topic.Length > 120 ? topic[..120] : topic, error);
        return IntakeOutcome.Rejected;
    }

    [LoggerMessage(EventId = 3201, Level = LogLevel.Warning, Message = "Rejected message on {Topic}: {Error}")]
    private partial void LogRejected(string topic, string error);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Warning, Message = "Crop {MessageId} from {EdgeId} refused before decoding: {Reason}")]
    private partial void LogImageRefused(string edgeId, Guid messageId, string reason);
}
