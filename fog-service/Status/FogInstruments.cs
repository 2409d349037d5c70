using System.Diagnostics.Metrics;

namespace FogLens.FogService.Status;

/// <summary>
/// The fog's meter <c>FogLens.Fog</c>: observable instruments over one <see cref="FogSnapshot"/> per collection (the
/// same snapshot type the cloud status and <c>/api/status</c> read), exported by OpenTelemetry: Prometheus at
/// <c>/metrics</c> as <c>foglens_fog_*</c>, and OTLP when configured.
/// </summary>
public sealed class FogInstruments
{
    public const string MeterName = "FogLens.Fog";

    private static readonly TimeSpan SnapshotLifetime = TimeSpan.FromMilliseconds(500);
    private readonly FogSnapshotSource _source;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private (long At, FogSnapshot? Snapshot) _cached;

    public FogInstruments(IMeterFactory meters, FogSnapshotSource source, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _source = source;
        _time = time;
        var meter = meters.Create(MeterName);
        Counter(meter, "crops_received", s => s.CropsReceived, "{crop}", "Face-crop messages received from edges.");
        Counter(meter, "crops_inferred", s => s.CropsInferred, "{crop}", "Crops whose age was estimated.");
        Counter(meter, "crops_without_flip", s => s.CropsWithoutFlip, "{crop}", "Crops estimated without flip test-time augmentation because the fog was behind.");
        Counter(meter, "crops_rejected", s => s.CropsRejected, "{crop}", "Crop or status messages that failed validation.");
        Counter(meter, "crops_duplicate", s => s.Duplicates, "{crop}", "Redelivered crops counted once.");
        Counter(meter, "crops_corrupt_image", s => s.CorruptImages, "{crop}", "Crops whose JPEG could not be decoded.");
        Counter(meter, "edge_messages_refused", s => s.EdgeMessagesRejected, "{message}", "Connections, publishes and subscriptions refused by the edge broker.");
        Counter(meter, "windows_published", s => s.WindowsPublished, "{window}", "Demographics windows queued for the cloud.");
        Counter(meter, "fl_rounds_completed", s => s.RoundsCompleted, "{round}", "Federated rounds whose update was queued.");
        Counter(meter, "fl_rounds_failed", s => s.RoundsFailed, "{round}", "Federated rounds that could not be done.");
        Gauge(meter, "edges_online", s => s.EdgesOnline, "{edge}", "Edge agents whose last status is online.");
        Gauge(meter, "inference_queue_depth", s => s.QueueDepth, "{crop}", "Crops waiting for inference.");
        Gauge(meter, "open_windows", s => s.OpenWindows, "{window}", "Demographics windows still open.");
        Gauge(meter, "inference_faces_per_second", s => s.FacesPerSecond, null, "Faces inferred per second (last 5 s).");
        Gauge(meter, "cloud_outbox_depth", s => s.CloudOutboxDepth, "{message}", "Messages waiting in the outbox to the cloud.");
        Gauge(meter, "fl_training", s => s.Training ? 1 : 0, null, "1 while a federated round is training.");
        Gauge(meter, "fl_last_update_bytes", s => s.LastUpdateBytes, null, "Size of the last encoded model update.");
        meter.CreateObservableGauge(
            "foglens.fog.model_info",
            () => new Measurement<int>(1, new KeyValuePair<string, object?>("version", Snapshot().ModelVersion)),
            description: "The inference model in use (value 1, version as label).");
    }

    /// <summary>The snapshot of this collection: instruments read within <see cref="SnapshotLifetime"/> share one.</summary>
    private FogSnapshot Snapshot()
    {
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            if (_cached.Snapshot is null || _time.GetElapsedTime(_cached.At, now) > SnapshotLifetime)
            {
                _cached = (now, _source.Capture());
            }

            return _cached.Snapshot;
        }
    }

    private void Counter(Meter meter, string name, Func<FogSnapshot, long> read, string unit, string description) =>
        meter.CreateObservableCounter("foglens.fog." + name, () => read(Snapshot()), unit, description);

    private void Gauge(Meter meter, string name, Func<FogSnapshot, double> read, string? unit, string description) =>
        meter.CreateObservableGauge("foglens.fog." + name, () => read(Snapshot()), unit, description);
}
