using OpenCvSharp;

namespace FogLens.EdgeAgent.Detection;

/// <summary>
/// OpenCV's Viola–Jones Haar cascade (Debian opencv-data): the fallback when BlazeFace cannot load, and
/// the baseline in benchmarks. Reports score 1 for every face (the cascade gives no calibrated score).
/// A CascadeClassifier is not thread-safe, so calls are serialised.
/// </summary>
public sealed class HaarFaceDetector : IFaceDetector
{
    public const string DefaultCascade = "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml";
    private readonly CascadeClassifier _cascade;
    private readonly Lock _gate = new();

    public HaarFaceDetector(string cascadePath = DefaultCascade, int minFaceSize = 24)
    {
        if (!File.Exists(cascadePath))
        {
            throw new FileNotFoundException($"Haar cascade not found at {cascadePath}; install Debian's opencv-data (./foglens setup)", cascadePath);
        }

        _cascade = new CascadeClassifier(cascadePath);
        if (_cascade.Empty())
        {
            _cascade.Dispose();
            throw new InvalidDataException($"{cascadePath} is not a readable cascade");
        }

        MinFaceSize = minFaceSize;
    }

    public string Name => "haar";

    public int MinFaceSize { get; }

    public IReadOnlyList<FaceDetection> Detect(Mat bgr, Rect? region = null)
    {
        ArgumentNullException.ThrowIfNull(bgr);
        var roi = region ?? new Rect(0, 0, bgr.Width, bgr.Height);
        roi = roi.Intersect(new Rect(0, 0, bgr.Width, bgr.Height));
        if (roi.Width < MinFaceSize || roi.Height < MinFaceSize)
        {
            return [];
        }

        using var view = new Mat(bgr, roi);
        using var grey = new Mat();
        Cv2.CvtColor(view, grey, ColorConversionCodes.BGR2GRAY);
        Cv2.EqualizeHist(grey, grey);
        Rect[] faces;
        lock (_gate)
        {
            faces = _cascade.DetectMultiScale(grey, 1.1, 5, HaarDetectionTypes.ScaleImage, new Size(MinFaceSize, MinFaceSize));
        }

        return [.. faces.Select(f => new FaceDetection(f.X + roi.X, f.Y + roi.Y, f.Width, f.Height, 1f))];
    }

    public void Dispose() => _cascade.Dispose();
}
