using OpenCvSharp;

namespace FogLens.EdgeAgent.Detection;

/// <summary>Finds faces in a BGR frame. Implementations are thread-safe unless stated otherwise.</summary>
public interface IFaceDetector : IDisposable
{
    /// <summary>Short name used in messages and metrics ("blazeface", "haar").</summary>
    string Name { get; }

    /// <summary>Faces in <paramref name="bgr"/>, optionally only inside <paramref name="region"/> (frame coordinates).</summary>
    IReadOnlyList<FaceDetection> Detect(Mat bgr, Rect? region = null);
}
