using FogLens.AgeModel.Imaging;
using FogLens.Contracts.Imaging;
using OpenCvSharp;

namespace FogLens.AgeModel.Tests;

public sealed class FacePreprocessorTests
{
    private readonly FacePreprocessor _preprocessor = new(32);

    [Fact]
    public void Prepare_WritesNormalisedChwRgb()
    {
        using var image = new Mat(50, 70, MatType.CV_8UC3, new Scalar(255, 0, 0)); // pure blue in BGR
        var tensor = new float[_preprocessor.TensorLength];
        _preprocessor.Prepare(image, tensor);
        var plane = 32 * 32;
        Assert.All(tensor[..plane], v => Assert.Equal(-1f, v, 5));          // R
        Assert.All(tensor[plane..(2 * plane)], v => Assert.Equal(-1f, v, 5)); // G
        Assert.All(tensor[(2 * plane)..], v => Assert.Equal(1f, v, 5));      // B
    }

    [Fact]
    public void ToTensor_Flip_MirrorsTheIdentity()
    {
        using var stage = new Mat(64, 64, MatType.CV_8UC3);
        Cv2.Randu(stage, new Scalar(0, 0, 0), new Scalar(256, 256, 256));
        var plain = new float[_preprocessor.TensorLength];
        var flipped = new float[_preprocessor.TensorLength];
        _preprocessor.ToTensor(stage, plain, Augmentation.Identity);
        _preprocessor.ToTensor(stage, flipped, Augmentation.Identity with { Flip = true });
        for (var c = 0; c < 3; c++)
        {
            for (var y = 0; y < 32; y++)
            {
                for (var x = 0; x < 32; x++)
                {
                    Assert.Equal(plain[(c * 1024) + (y * 32) + x], flipped[(c * 1024) + (y * 32) + 31 - x], 4);
                }
            }
        }
    }

    [Fact]
    public void Decode_GarbageOrTruncatedJpeg_ReturnsNull()
    {
        Assert.Null(FacePreprocessor.Decode([]));
        Assert.Null(FacePreprocessor.Decode("not an image at all"u8));
        using var image = new Mat(40, 40, MatType.CV_8UC3, new Scalar(10, 20, 30));
        var jpeg = image.ImEncode(".jpg");
        Assert.NotNull(FacePreprocessor.Decode(jpeg));
        Assert.Null(FacePreprocessor.Decode(jpeg.AsSpan(0, 20)));
    }

    [Fact]
    public void RandomAugmentation_StaysInRange()
    {
        var rng = new Random(2);
        using var stage = new Mat(64, 64, MatType.CV_8UC3, new Scalar(128, 64, 200));
        var tensor = new float[_preprocessor.TensorLength];
        for (var i = 0; i < 50; i++)
        {
            _preprocessor.ToTensor(stage, tensor, Augmentation.Random(rng));
            Assert.All(tensor, v => Assert.InRange(v, -1f, 1f));
        }
    }

    [Fact]
    public void FaceCropGeometry_ExpandsAndClipsToFrame()
    {
        var (x, y, w, h) = FaceCropGeometry.Expand(100, 100, 50, 50, 640, 480);
        Assert.Equal(w, h);
        Assert.Equal((int)Math.Round(50 * FaceCropGeometry.ExpandFactor), w);
        Assert.True(x < 100 && y < 100);

        var edge = FaceCropGeometry.Expand(0, 0, 100, 100, 120, 90);
        Assert.True(edge.X >= 0 && edge.Y >= 0 && edge.X + edge.Width <= 120 && edge.Y + edge.Height <= 90);
    }
}
