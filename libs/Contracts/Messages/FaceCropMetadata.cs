namespace FogLens.Contracts.Messages;

/// <summary>
/// Metadata of a face crop (topic <c>foglens/v1/edge/{edgeId}/faces</c>); the JPEG bytes are
/// the payload of the <see cref="Serialization.BinaryFrame"/>. One crop per person track.
/// </summary>
public sealed record FaceCropMetadata(
    MessageHeader Header,
    string CameraId,
    long TrackId,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen,
    DateTimeOffset CapturedAt,
    FaceBox Box,
    int FrameWidth,
    int FrameHeight,
    float DetectorScore,
    float Sharpness,
    string Detector) : IFogLensMessage
{
    public string? Validate()
    {
        if (!NodeId.IsValid(CameraId))
        {
            return $"cameraId '{CameraId}' is not a valid id";
        }

        if (TrackId < 0)
        {
            return "trackId must not be negative";
        }

        if (LastSeen < FirstSeen)
        {
            return "lastSeen is before firstSeen";
        }

        if (FrameWidth <= 0 || FrameHeight <= 0 || FrameWidth > 16384 || FrameHeight > 16384)
        {
            return "frame size out of range";
        }

        if (Box.Width <= 0 || Box.Height <= 0)
        {
            return "box must have a positive size";
        }

        if (!float.IsFinite(DetectorScore) || !float.IsFinite(Sharpness))
        {
            return "scores must be finite";
        }

        return string.IsNullOrEmpty(Detector) || Detector.Length > 32 ? "detector name missing or too long" : null;
    }
}
