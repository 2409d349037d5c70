using OpenCvSharp;

namespace FogLens.AgeModel.Imaging;

/// <summary>
/// The one preprocessing path of the age model, used by training, evaluation and inference:
/// <list type="number">
/// <item><see cref="Stage"/>: a BGR face crop of any size is resized (area filter) to a square of
/// twice the network input size. Training caches this stage per image.</item>
/// <item><see cref="ToTensor"/>: an affine warp (identity at inference, random jitter in training)
/// down to the input size, then BGR→RGB, optional colour jitter, and normalisation
/// (v − 0.5) / 0.5 into a CHW float tensor.</item>
/// </list>
/// Instances are immutable and thread-safe.
/// </summary>
public sealed class FacePreprocessor
{
    public const float Mean = 0.5f;
    public const float Std = 0.5f;

    public FacePreprocessor(int inputSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputSize, 16);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(inputSize, 512);
        InputSize = inputSize;
    }

    /// <summary>Side of the square network input.</summary>
    public int InputSize { get; }

    /// <summary>Side of the square stage image.</summary>
    public int StageSize => 2 * InputSize;

    /// <summary>Floats per face in the CHW tensor.</summary>
    public int TensorLength => 3 * InputSize * InputSize;

    /// <summary>Decodes an encoded image (JPEG, PNG...) to BGR; null when the bytes are not a readable image.</summary>
    public static Mat? Decode(ReadOnlySpan<byte> encoded)
    {
        if (encoded.Length < 4)
        {
            return null;
        }

        try
        {
            var mat = Cv2.ImDecode(encoded, ImreadModes.Color);
            if (mat.Empty() || mat.Width < 2 || mat.Height < 2)
            {
                mat.Dispose();
                return null;
            }

            return mat;
        }
        catch (OpenCVException)
        {
            return null;
        }
    }

    /// <summary>Stage 1: resizes a BGR crop to <see cref="StageSize"/>² with the area filter.</summary>
    public Mat Stage(Mat bgr)
    {
        ArgumentNullException.ThrowIfNull(bgr);
        if (bgr.Empty() || bgr.Type() != MatType.CV_8UC3)
        {
            throw new ArgumentException($"expected a non-empty 8-bit BGR image, got {bgr.Type()}", nameof(bgr));
        }

        var stage = new Mat();
        var interpolation = bgr.Width >= StageSize && bgr.Height >= StageSize ? InterpolationFlags.Area : InterpolationFlags.Linear;
        Cv2.Resize(bgr, stage, new Size(StageSize, StageSize), 0, 0, interpolation);
        return stage;
    }

    /// <summary>Both stages with no augmentation: what inference does with a face crop.</summary>
    public void Prepare(Mat bgr, Span<float> destination)
    {
        using var stage = Stage(bgr);
        ToTensor(stage, destination, Augmentation.Identity);
    }

    /// <summary>Stage 2: warps a stage image to the input size and writes normalised CHW RGB floats.</summary>
    public unsafe void ToTensor(Mat stage, Span<float> destination, in Augmentation augmentation)
    {
        ArgumentNullException.ThrowIfNull(stage);
        if (stage.Width != StageSize || stage.Height != StageSize || stage.Type() != MatType.CV_8UC3)
        {
            throw new ArgumentException($"expected a {StageSize}x{StageSize} BGR stage image", nameof(stage));
        }

        if (destination.Length != TensorLength)
        {
            throw new ArgumentException($"destination must hold {TensorLength} floats", nameof(destination));
        }

        using var warped = new Mat(InputSize, InputSize, MatType.CV_8UC3);
        using (var matrix = WarpMatrix(augmentation))
        {
            Cv2.WarpAffine(stage, warped, matrix, new Size(InputSize, InputSize), InterpolationFlags.Linear, BorderTypes.Reflect101);
        }

        var plane = InputSize * InputSize;
        var r = destination[..plane];
        var g = destination.Slice(plane, plane);
        var b = destination.Slice(2 * plane, plane);
        const float inv255 = 1f / 255f;
        var photometric = !augmentation.IsPhotometricIdentity;
        var step = (int)warped.Step();
        var basePtr = (byte*)warped.DataPointer;
        for (var y = 0; y < InputSize; y++)
        {
            var row = basePtr + (y * step);
            var o = y * InputSize;
            for (var x = 0; x < InputSize; x++)
            {
                var bv = row[3 * x] * inv255;
                var gv = row[(3 * x) + 1] * inv255;
                var rv = row[(3 * x) + 2] * inv255;
                if (photometric)
                {
                    Jitter(ref rv, ref gv, ref bv, augmentation);
                }

                r[o + x] = (rv - Mean) / Std;
                g[o + x] = (gv - Mean) / Std;
                b[o + x] = (bv - Mean) / Std;
            }
        }
    }

    private static void Jitter(ref float r, ref float g, ref float b, in Augmentation a)
    {
        var grey = (0.299f * r) + (0.587f * g) + (0.114f * b);
        r = Math.Clamp(((grey + ((r - grey) * a.Saturation) - 0.5f) * a.Contrast) + 0.5f + a.Brightness, 0f, 1f);
        g = Math.Clamp(((grey + ((g - grey) * a.Saturation) - 0.5f) * a.Contrast) + 0.5f + a.Brightness, 0f, 1f);
        b = Math.Clamp(((grey + ((b - grey) * a.Saturation) - 0.5f) * a.Contrast) + 0.5f + a.Brightness, 0f, 1f);
    }

    /// <summary>Forward affine map from stage pixels to input pixels (centre to centre, then jitter).</summary>
    private Mat WarpMatrix(in Augmentation a)
    {
        var s = (double)InputSize / StageSize * a.Scale;
        var theta = a.RotationDegrees * Math.PI / 180.0;
        var cos = Math.Cos(theta) * s;
        var sin = Math.Sin(theta) * s;
        var flip = a.Flip ? -1.0 : 1.0;

        // dest = A * (src - cSrc) + cDst + shift, with A = R(theta) * s * diag(flip, 1).
        var cSrc = (StageSize - 1) / 2.0;
        var cDst = (InputSize - 1) / 2.0;
        double a00 = cos * flip, a01 = -sin, a10 = sin * flip, a11 = cos;
        var tx = cDst + (a.ShiftX * InputSize) - ((a00 * cSrc) + (a01 * cSrc));
        var ty = cDst + (a.ShiftY * InputSize) - ((a10 * cSrc) + (a11 * cSrc));
        var m = new Mat(2, 3, MatType.CV_64FC1);
        m.Set(0, 0, a00);
        m.Set(0, 1, a01);
        m.Set(0, 2, tx);
        m.Set(1, 0, a10);
        m.Set(1, 1, a11);
        m.Set(1, 2, ty);
        return m;
    }
}
