namespace FogLens.Contracts.Messages;

/// <summary>Retained status of an edge agent (topic <c>foglens/v1/edge/{edgeId}/status</c>).</summary>
public sealed record EdgeStatus(
    MessageHeader Header,
    NodeState State,
    string CameraId,
    string Source,
    string Detector,
    double CameraFps,
    double DetectionFps,
    double SkippedFps,
    int ActiveTracks,
    long FacesPublished,
    int OutboxDepth,
    long OutboxDropped) : IFogLensMessage
{
    public string? Validate()
    {
        if (!NodeId.IsValid(CameraId))
        {
            return $"cameraId '{CameraId}' is not a valid id";
        }

        if (!double.IsFinite(CameraFps) || !double.IsFinite(DetectionFps) || !double.IsFinite(SkippedFps))
        {
            return "rates must be finite";
        }

        return ActiveTracks < 0 || FacesPublished < 0 || OutboxDepth < 0 || OutboxDropped < 0
            ? "counters must not be negative"
            : null;
    }
}
