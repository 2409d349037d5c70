using FogLens.FogService.Demographics;
using Microsoft.Extensions.Options;
using FogLens.FogService.Common;

namespace FogLens.FogService.Inference;

/// <summary>
/// Takes crops from the durable spool in batches (up to Fog:InferenceBatch, waiting at most 20 ms to fill
/// one), decodes and preprocesses them with the shared face preprocessor, estimates ages with ONNX Runtime,
/// journals the faces and adds them to the demographics windows (<see cref="WindowLedger"/>), and only then
/// removes the crops from the spool. Corrupt JPEGs are counted and logged. With Fog:KeepFaces crops are also
/// written under the data directory.
/// </summary>
public sealed partial class InferenceWorker(
    CropSpool spool,
    AgeModelProvider models,
    WindowLedger ledger,
    FogCounters counters,
    IOptions<FogOptions> options,
    TimeProvider time,
    ILogger<InferenceWorker> logger) : BackgroundService
{
    private readonly FogOptions _options = options.Value;
    private readonly FaceRate _rate = new(time);

    /// <summary>Crops inferred per second over the last 10 s (0 when none arrive).</summary>
    public double FacesPerSecond => _rate.PerSecond;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            IReadOnlyList<CropWork> batch;
            try
            {
                batch = await spool.ReadBatchAsync(_options.InferenceBatch, TimeSpan.FromMilliseconds(20), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            Process(batch);
            spool.Complete(batch); // only now: every face of the batch is in the journal
            _rate.Add(batch.Count);
        }
    }

    /// <summary>
    /// Flip test-time augmentation doubles the network's work: while more than the next batch waits in the spool
    /// (<paramref name="spooled"/> counts the batch being inferred too) the fog estimates without it, so a busy fog keeps
    /// its crop rate and a quiet one gets the better estimate.
    /// </summary>
    public static bool ShouldFlip(bool enabled, int spooled, int batchSize) => enabled && spooled <= 2 * batchSize;

    /// <summary>Infers one batch and journals its faces (one disk flush); public for the throughput bench.</summary>
    public void Process(IReadOnlyList<CropWork> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        using var activity = FogTelemetry.Source.StartActivity("age infer", System.Diagnostics.ActivityKind.Internal, parentContext: default, links: CropLinks(batch));
        activity?.SetTag("foglens.batch", batch.Count);
        using var lease = models.Acquire();
        var estimator = lease.Estimator;
        var flip = ShouldFlip(_options.FlipAverage, spool.Depth, _options.InferenceBatch);
        if (_options.FlipAverage && !flip)
        {
            counters.CropsWithoutFlipAdd(batch.Count);
        }

        var predictions = estimator.PredictEncoded([.. batch.Select(w => w.Jpeg)], flip);
        var observations = new List<Observation>(batch.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            var work = batch[i];
            if (predictions[i] is not { } prediction)
            {
                counters.CorruptImage();
                LogCorrupt(work.EdgeId, work.MessageId);
                continue;
            }

            if (_options.KeepFaces)
            {
                Keep(work);
            }

            observations.Add(new Observation(work.MessageId, work.EdgeId, work.CameraId, work.CapturedAt, prediction.ExpectedAge, estimator.ModelVersion));
        }

        ledger.Record(observations);
        counters.CropsInferredAdd(observations.Count);
    }

    private void Keep(CropWork work)
    {
        var folder = Path.Combine(_options.DataDirectory, "faces", work.EdgeId);
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, $"{work.CapturedAt:yyyyMMddTHHmmssfff}-{work.MessageId:N}.jpg"), work.Jpeg.ToArray());
    }

    [LoggerMessage(EventId = 3301, Level = LogLevel.Warning, Message = "Crop {MessageId} from {EdgeId} is not a decodable image; counted and skipped")]
    private partial void LogCorrupt(string edgeId, Guid messageId);

    /// <summary>Links from the batch to the traces of its crops (each crop's trace began at its edge).</summary>
    private static List<System.Diagnostics.ActivityLink>? CropLinks(IReadOnlyList<CropWork> batch)
    {
        if (!FogTelemetry.Source.HasListeners())
        {
            return null;
        }

        var links = new List<System.Diagnostics.ActivityLink>(batch.Count);
        foreach (var work in batch)
        {
            if (work.TraceParent is { } parent && System.Diagnostics.ActivityContext.TryParse(parent, null, out var context))
            {
                links.Add(new System.Diagnostics.ActivityLink(context));
            }
        }

        return links;
    }
}
