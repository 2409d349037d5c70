using OpenCvSharp;

namespace FogLens.EdgeAgent.Capture;

/// <summary>
/// Cheap motion detection that decides where the face detector runs (as in Frigate): the frame is
/// shrunk to a small grey image, blurred, compared with a running average background, thresholded
/// and dilated; the bounding boxes of the changed areas, padded and scaled back, are the regions to
/// search. A static scene yields no regions and costs one small resize per frame. Not thread-safe.
/// </summary>
public sealed class MotionGate : IDisposable
{
    private readonly int _width;
    private readonly double _threshold;
    private readonly double _minAreaFraction;
    private readonly Mat _noMask = new();
    private Mat? _background;

    public MotionGate(int analysisWidth = 160, double threshold = 20, double minAreaFraction = 0.0015)
    {
        _width = analysisWidth;
        _threshold = threshold;
        _minAreaFraction = minAreaFraction;
    }

    /// <summary>Regions (frame coordinates) where something moved since the background was learned.</summary>
    public IReadOnlyList<Rect> Regions(Mat bgr)
    {
        ArgumentNullException.ThrowIfNull(bgr);
        var frameWidth = bgr.Width;
        var frameHeight = bgr.Height;
        var scale = (double)_width / frameWidth;
        var height = Math.Max(1, (int)Math.Round(frameHeight * scale));
        using var small = new Mat();
        Cv2.Resize(bgr, small, new Size(_width, height), 0, 0, InterpolationFlags.Area);
        using var grey = new Mat();
        Cv2.CvtColor(small, grey, ColorConversionCodes.BGR2GRAY);
        Cv2.GaussianBlur(grey, grey, new Size(5, 5), 0);
        using var current = new Mat();
        grey.ConvertTo(current, MatType.CV_32F);

        if (_background is null || _background.Size() != current.Size())
        {
            _background?.Dispose();
            _background = current.Clone();
            return [new Rect(0, 0, frameWidth, frameHeight)];
        }

        using var diff = new Mat();
        Cv2.Absdiff(current, _background, diff);
        Cv2.AccumulateWeighted(current, _background, 0.1, _noMask);
        using var mask = new Mat();
        Cv2.Threshold(diff, mask, _threshold, 255, ThresholdTypes.Binary);
        using var mask8 = new Mat();
        mask.ConvertTo(mask8, MatType.CV_8U);
        using (var kernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(7, 7)))
        {
            Cv2.Dilate(mask8, mask8, kernel, iterations: 2);
        }

        Cv2.FindContours(mask8, out var contours, out _, RetrievalModes.External, ContourApproximationModes.ApproxSimple);
        var minArea = _minAreaFraction * _width * height;
        var regions = new List<Rect>();
        foreach (var contour in contours)
        {
            var box = Cv2.BoundingRect(contour);
            if (box.Width * box.Height < minArea)
            {
                continue;
            }

            // Pad generously: motion boxes cover bodies and heads partly; faces sit at their top.
            var padX = box.Width / 2 + 4;
            var padY = box.Height / 2 + 4;
            var x0 = Math.Max(0, (int)((box.X - padX) / scale));
            var y0 = Math.Max(0, (int)((box.Y - padY) / scale));
            var x1 = Math.Min(frameWidth, (int)((box.Right + padX) / scale));
            var y1 = Math.Min(frameHeight, (int)((box.Bottom + padY) / scale));
            regions.Add(new Rect(x0, y0, x1 - x0, y1 - y0));
        }

        return Merge(regions, frameWidth, frameHeight);
    }

    public void Dispose()
    {
        _background?.Dispose();
        _noMask.Dispose();
    }

    /// <summary>Merges overlapping regions; one covering most of the frame becomes the whole frame.</summary>
    public static List<Rect> Merge(List<Rect> regions, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(regions);
        regions.RemoveAll(r => r.Width <= 0 || r.Height <= 0);
        var merged = true;
        while (merged)
        {
            merged = false;
            for (var i = 0; i < regions.Count && !merged; i++)
            {
                for (var j = i + 1; j < regions.Count; j++)
                {
                    if (regions[i].IntersectsWith(regions[j]))
                    {
                        regions[i] = regions[i].Union(regions[j]);
                        regions.RemoveAt(j);
                        merged = true;
                        break;
                    }
                }
            }
        }

        var covered = regions.Sum(r => (long)r.Width * r.Height);
        return covered > 0.6 * width * height ? [new Rect(0, 0, width, height)] : regions;
    }
}
