using FogLens.EdgeAgent.Detection;

namespace FogLens.EdgeAgent.Tracking;

/// <summary>
/// A track ready to publish: its best face crop (JPEG, framed with the shared crop geometry) and where
/// and when it was seen.
/// </summary>
public sealed record FinishedTrack(
    long TrackId,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen,
    DateTimeOffset BestAt,
    FaceDetection BestBox,
    double BestQuality,
    double BestSharpness,
    byte[] Jpeg,
    int Hits,
    int FrameWidth,
    int FrameHeight);
