using FogLens.Contracts;
using FogLens.Contracts.Imaging;
using FogLens.Contracts.Serialization;
using FogLens.FogService.Demographics;
using FogLens.Messaging;
using Microsoft.Extensions.Options;
using FogLens.FogService.Inference;
using FogLens.FogService.Common;

namespace FogLens.FogService.Broker;

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
/// redeliveries by message id (across restarts), and stores crops durably in the <see cref="CropSpool"/> for
/// inference; records the status of each edge. Called
/// inside the embedded broker's publish interceptor (the PUBACK waits for the queue, which is the
/// back-pressure) or by <see cref="ExternalEdgeSubscriber"/> when the edge broker is external.
/// </summary>
public sealed partial class CropIntake
{
    private readonly MessageParser _parser = new();
    private readonly MessageIdWindow _seen = new(200_000);
    private readonly CropSpool _spool;
    private readonly FogCounters _counters;
    private readonly EdgeRegistry _edges;
    private readonly TimeProvider _time;
    private readonly ILogger<CropIntake> _logger;
    private readonly int _maxSide;

    public CropIntake(CropSpool spool, WindowLedger ledger, FogCounters counters, EdgeRegistry edges, TimeProvider time, IOptions<FogOptions> options, ILogger<CropIntake> logger)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(options);
        _spool = spool;
        _counters = counters;
        _edges = edges;
        _time = time;
        _logger = logger;
        _maxSide = options.Value.MaxCropSide;

        // Deduplication survives a restart: crops already counted (journal) or waiting (spool) are known.
        foreach (var id in ledger.SeenAtStart.Concat(spool.RecoveredIds))
        {
            _seen.TryAdd(id);
        }
    }

    public async ValueTask<IntakeOutcome> HandleAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (Topics.TryParse(topic, out var info) && info.Kind == TopicKind.EdgeStatus)
        {
            var status = _parser.ParseEdgeStatus(topic, payload.Span);
            if (!status.IsSuccess)
            {
                return Reject(topic, status.Error.ToString());
            }

            _edges.Update(status.Value, _time.GetUtcNow());
            return IntakeOutcome.Accepted;
        }

        _counters.CropReceived();
        var crop = _parser.ParseFaceCrop(topic, payload);
        if (!crop.IsSuccess)
        {
            return Reject(topic, crop.Error.ToString());
        }

        var metadata = crop.Value.Metadata;
        using var activity = FogTelemetry.Source.StartConsumer("crop receive", metadata.Header);
        if (!_seen.TryAdd(metadata.Header.MessageId))
        {
            _counters.Duplicate();
            return IntakeOutcome.Duplicate;
        }

        var header = JpegHeader.TryRead(crop.Value.Payload.Span, out var width, out var height);
        if (header != JpegHeaderStatus.Ok || width < 1 || height < 1 || width > _maxSide || height > _maxSide)
        {
            _counters.CorruptImage();
            LogImageRefused(metadata.Header.SenderId, metadata.Header.MessageId, header == JpegHeaderStatus.Ok ? $"declares {width}x{height} pixels (bound {_maxSide})" : $"JPEG header: {header}");
            return IntakeOutcome.CorruptImage;
        }

        await _spool.EnqueueAsync(topic, payload, CropWork.From(crop.Value), cancellationToken);
        return IntakeOutcome.Accepted;
    }

    private IntakeOutcome Reject(string topic, string error)
    {
        _counters.CropRejected();
        LogRejected(topic.Length > 120 ? topic[..120] : topic, error);
        return IntakeOutcome.Rejected;
    }

    [LoggerMessage(EventId = 3201, Level = LogLevel.Warning, Message = "Rejected message on {Topic}: {Error}")]
    private partial void LogRejected(string topic, string error);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Warning, Message = "Crop {MessageId} from {EdgeId} refused before decoding: {Reason}")]
    private partial void LogImageRefused(string edgeId, Guid messageId, string reason);
}
