using FogLens.EdgeAgent.Detection;
using FogLens.EdgeAgent.Tracking;

namespace FogLens.EdgeAgent.Pipeline;

/// <summary>Result of one frame: the tracks to publish now, whether the motion gate skipped detection, and the faces found.</summary>
public readonly record struct FrameOutcome(IReadOnlyList<FinishedTrack> Finished, bool Gated, IReadOnlyList<FaceDetection> Faces);
