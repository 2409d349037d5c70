using OpenCvSharp;

namespace FogLens.EdgeAgent.Detection;

/// <summary>Finds faces in a BGR frame. Implementations are thread-safe unless stated otherwise.</summary>
public interface IFaceDetector : IDisposable
{
    /// <summary>Short name used in messages and metrics ("blazeface", "haar").</summary>
    string Name { get; }

    /// <summary>Faces in <paramref name="bgr"/>, optionally only inside <paramref name="region"/> (frame coordinates).</summary>
    IReadOnlyList<FaceDetection> Detect(Mat bgr, Rect? region = null);

    /// <summary>
    /// Faces in a window around a face already tracked (the face spans about a third of the window).
    /// A detector may use a cheaper model there than for searching; by default the same as <see cref="Detect"/>.
    /// </summary>
    IReadOnlyList<FaceDetection> DetectTracked(Mat bgr, Rect window) => Detect(bgr, window);
}
