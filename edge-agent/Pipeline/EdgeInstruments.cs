using System.Diagnostics.Metrics;
using FogLens.Messaging;

namespace FogLens.EdgeAgent.Pipeline;

/// <summary>
/// The edge's meter <c>FogLens.Edge</c>: observable instruments over <see cref="EdgeMetrics"/>, the outbox and the
/// session, exported by OpenTelemetry (Prometheus listener when <c>Telemetry:PrometheusListen</c> is set, OTLP when
/// configured).
/// </summary>
public sealed class EdgeInstruments
{
    public const string MeterName = "FogLens.Edge";

    public EdgeInstruments(IMeterFactory meters, EdgeMetrics metrics, DiskOutbox outbox, OutboxSender sender, MqttSession session)
    {
        ArgumentNullException.ThrowIfNull(meters);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(outbox);
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(session);
        var meter = meters.Create(MeterName);
        meter.CreateObservableCounter("foglens.edge.frames_read", () => metrics.FramesRead, "{frame}", "Frames read from the source.");
        meter.CreateObservableCounter("foglens.edge.frames_detected", () => metrics.FramesDetected, "{frame}", "Frames the face detector ran on.");
        meter.CreateObservableCounter("foglens.edge.frames_skipped", () => metrics.FramesSkipped, "{frame}", "Frames dropped because detection fell behind.");
        meter.CreateObservableCounter("foglens.edge.frames_gated", () => metrics.FramesGated, "{frame}", "Frames without motion, not run through the detector.");
        meter.CreateObservableCounter("foglens.edge.faces_detected", () => metrics.Detections, "{face}", "Faces the detector found.");
        meter.CreateObservableCounter("foglens.edge.crops_queued", () => metrics.CropsQueued, "{crop}", "Best crops queued for the fog.");
        meter.CreateObservableCounter("foglens.edge.bad_inputs", () => metrics.BadInputs, "{event}", "Unreadable frames and source failures, each reported and survived.");
        meter.CreateObservableCounter("foglens.edge.messages_sent", () => sender.Sent, "{message}", "Messages the fog's broker acknowledged.");
        meter.CreateObservableCounter("foglens.edge.outbox_dropped", () => outbox.Dropped, "{message}", "Messages dropped because the outbox was full.");
        meter.CreateObservableGauge("foglens.edge.outbox_depth", () => outbox.Count, "{message}", "Messages waiting in the outbox.");
        meter.CreateObservableGauge("foglens.edge.camera_fps", () => metrics.CameraFps, description: "Frames read per second.");
        meter.CreateObservableGauge("foglens.edge.detection_fps", () => metrics.DetectionFps, description: "Frames run through the detector per second.");
        meter.CreateObservableGauge("foglens.edge.active_tracks", () => metrics.ActiveTracks, "{track}", "Faces tracked now.");
        meter.CreateObservableGauge("foglens.edge.connected", () => session.IsConnected ? 1 : 0, null, "1 while connected to the fog's broker.");
    }
}
