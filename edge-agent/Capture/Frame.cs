using OpenCvSharp;

namespace FogLens.EdgeAgent.Capture;

/// <summary>A captured BGR frame with its index and capture time. Disposing it releases the image.</summary>
public sealed class Frame(Mat image, long index, DateTimeOffset capturedAt) : IDisposable
{
    public Mat Image { get; } = image;

    public long Index { get; } = index;

    public DateTimeOffset CapturedAt { get; } = capturedAt;

    public void Dispose() => Image.Dispose();
}
