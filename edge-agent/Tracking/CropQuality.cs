using OpenCvSharp;

namespace FogLens.EdgeAgent.Tracking;

/// <summary>
/// How good a face crop is for age estimation: detector confidence × size (saturating at 96 px) ×
/// sharpness (variance of the Laplacian, saturating). The best-scoring crop of a track is published.
/// </summary>
public static class CropQuality
{
    public static double Sharpness(Mat bgrCrop)
    {
        ArgumentNullException.ThrowIfNull(bgrCrop);
        using var grey = new Mat();
        Cv2.CvtColor(bgrCrop, grey, ColorConversionCodes.BGR2GRAY);
        using var laplacian = new Mat();
        Cv2.Laplacian(grey, laplacian, MatType.CV_32F);
        Cv2.MeanStdDev(laplacian, out _, out var std);
        return std.Val0 * std.Val0;
    }

    public static double Score(float detectorScore, double faceSide, double sharpness) =>
        detectorScore * Math.Min(1.0, faceSide / 96.0) * (sharpness / (sharpness + 50.0));
}
