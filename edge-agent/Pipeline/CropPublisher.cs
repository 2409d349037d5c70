using FogLens.Contracts;
using FogLens.Contracts.Messages;
using FogLens.Contracts.Serialization;
using FogLens.EdgeAgent.Tracking;
using FogLens.Messaging;
using FogLens.EdgeAgent.Common;

namespace FogLens.EdgeAgent.Pipeline;

/// <summary>Turns finished tracks into face-crop frames in the outbox (topic foglens/v1/edge/{edgeId}/faces).</summary>
public sealed class CropPublisher(EdgeAgentOptions options, MessageHeaderFactory headers, DiskOutbox outbox, EdgeMetrics metrics, string detectorName)
{
    private readonly string _topic = Topics.EdgeFaces(options.EdgeId);

    public void Publish(FinishedTrack track)
    {
        ArgumentNullException.ThrowIfNull(track);
        if (track.Jpeg.Length == 0)
        {
            return;
        }

        using var activity = EdgeTelemetry.Source.StartActivity("crop publish", System.Diagnostics.ActivityKind.Producer);
        activity?.SetTag("foglens.track", track.TrackId);
        var box = track.BestBox;
        var metadata = new FaceCropMetadata(
            headers.Next(),
            options.EffectiveCameraId,
            track.TrackId,
            track.FirstSeen,
            track.LastSeen,
            track.BestAt,
            new FaceBox((int)box.X, (int)box.Y, Math.Max(1, (int)box.Width), Math.Max(1, (int)box.Height)),
            track.FrameWidth,
            track.FrameHeight,
            box.Score,
            (float)track.BestSharpness,
            detectorName);
        outbox.Enqueue(_topic, BinaryFrame.Encode(BinaryFrameKind.FaceCrop, metadata, track.Jpeg));
        metrics.CropQueued();
    }
}
