using FogLens.FogService.Demographics;
using Microsoft.Extensions.Options;

namespace FogLens.FogService.Inference;

/// <summary>
/// Takes crops from the queue in batches (up to Fog:InferenceBatch, waiting at most 20 ms to fill one),
/// decodes and preprocesses them with the shared face preprocessor, estimates ages with ONNX Runtime
/// and adds them to the demographics windows. Corrupt JPEGs are counted and logged. Crops are dropped
/// from memory after inference; with Fog:KeepFaces they are written under the data directory.
/// </summary>
public sealed partial class InferenceWorker(
    CropChannel queue,
    AgeModelProvider models,
    DemographicsAggregator aggregator,
    FogCounters counters,
    IOptions<FogOptions> options,
    ILogger<InferenceWorker> logger) : BackgroundService
{
    private readonly FogOptions _options = options.Value;

    public double FacesPerSecond { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<CropWork>(_options.InferenceBatch);
        var windowStart = DateTime.UtcNow;
        long windowCount = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            batch.Clear();
            try
            {
                batch.Add(await queue.Reader.ReadAsync(stoppingToken));
                using var fill = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                fill.CancelAfter(TimeSpan.FromMilliseconds(20));
                while (batch.Count < _options.InferenceBatch)
                {
                    if (queue.Reader.TryRead(out var more))
                    {
                        batch.Add(more);
                        continue;
                    }

                    try
                    {
                        if (!await queue.Reader.WaitToReadAsync(fill.Token))
                        {
                            break;
                        }
                    }
                    catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                    {
                        break;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                break;
            }

            Process(batch);
            windowCount += batch.Count;
            var elapsed = (DateTime.UtcNow - windowStart).TotalSeconds;
            if (elapsed >= 5)
            {
                FacesPerSecond = windowCount / elapsed;
                windowStart = DateTime.UtcNow;
                windowCount = 0;
            }
        }
    }

    /// <summary>Infers one batch; public for the throughput bench.</summary>
    public void Process(IReadOnlyList<CropWork> batch)
    {
        using var lease = models.Acquire();
        var estimator = lease.Estimator;
        var predictions = estimator.PredictEncoded([.. batch.Select(w => w.Jpeg)]);
        var inferred = 0;
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

            aggregator.Add(work.EdgeId, work.CameraId, work.CapturedAt, prediction.ExpectedAge, estimator.ModelVersion);
            inferred++;
        }

        counters.CropsInferredAdd(inferred);
    }

    private void Keep(CropWork work)
    {
        var folder = Path.Combine(_options.DataDirectory, "faces", work.EdgeId);
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, $"{work.CapturedAt:yyyyMMddTHHmmssfff}-{work.MessageId:N}.jpg"), work.Jpeg.ToArray());
    }

    [LoggerMessage(EventId = 3301, Level = LogLevel.Warning, Message = "Crop {MessageId} from {EdgeId} is not a decodable image; counted and skipped")]
    private partial void LogCorrupt(string edgeId, Guid messageId);
}
