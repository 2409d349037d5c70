using FogLens.EdgeAgent.Detection;
using FogLens.Tests.Shared;
using OpenCvSharp;

namespace FogLens.EdgeAgent.Tests;

public sealed class CascadeFaceDetectorTests
{
    [Theory]
    [InlineData(100, 384)]
    [InlineData(384, 384)]
    [InlineData(640, 384)]
    [InlineData(480, 384)]
    [InlineData(1000, 96)]
    public void Starts_CoverTheLengthWithOverlapOfAtLeastAQuarterTile(int length, int tile)
    {
        var starts = CascadeFaceDetector.Starts(length, tile);
        Assert.Equal(0, starts[0]);
        Assert.Equal(Math.Max(0, length - tile), starts[^1]);
        for (var i = 1; i < starts.Count; i++)
        {
            Assert.True(starts[i - 1] + tile - starts[i] >= tile / 4, $"tiles {i - 1} and {i} overlap by less than a quarter");
        }
    }

    [Fact]
    public void DropContained_RemovesAPartOfALargerFace_KeepsSeparateFaces()
    {
        var kept = CascadeFaceDetector.DropContained(
        [
            new FaceDetection(100, 100, 120, 120, 0.8f),
            new FaceDetection(110, 150, 40, 40, 0.9f), // a tile's view of the lower part of the big face
            new FaceDetection(300, 100, 30, 30, 0.7f),
        ]);
        Assert.Equal(2, kept.Count);
        Assert.Contains(kept, f => f.Width == 120);
        Assert.Contains(kept, f => f.X == 300);
    }

    [Fact]
    public void Detect_FarFaceInTheWholeFrame_FoundByATileWithinOneRoundOfTurns()
    {
        using var frame = FarMessi(out var x0, out var y0);
        using var plainFront = new BlazeFaceDetector(Path(BlazeFaceModel.Front));
        using var cascade = Cascade();

        // The front model sees the whole frame at 0.2 px per pixel: the 26 px face is 5 px to it.
        Assert.Empty(plainFront.Detect(frame));
        var rounds = Enumerable.Range(0, 9).Select(_ => cascade.Detect(frame)).ToList();
        Assert.Contains(rounds, faces => faces.Any(f => IsMessi(f, x0, y0)));
        Assert.All(rounds, faces => Assert.True(faces.Count <= 1, "one face at most"));
    }

    [Fact]
    public void DetectTracked_WindowAroundAFarFace_FindsItWithTheFrontModel()
    {
        using var frame = FarMessi(out var x0, out var y0);
        using var cascade = Cascade();
        var cx = x0 + (0.48 * 236);
        var cy = y0 + (0.48 * 100);
        var faces = cascade.DetectTracked(frame, new Rect((int)cx - 40, (int)cy - 40, 80, 80));
        Assert.Contains(faces, f => IsMessi(f, x0, y0));
        Assert.Equal("blazeface-cascade", cascade.Name);
    }

    private static CascadeFaceDetector Cascade() =>
        new(new BlazeFaceDetector(Path(BlazeFaceModel.Front)), new BlazeFaceDetector(Path(BlazeFaceModel.Back)));

    private static string Path(BlazeFaceModel model) => BlazeFaceDetector.DefaultPath(TestPaths.RepoRoot, model);

    /// <summary>messi5.jpg scaled by 0.48 (his face about 26 px) on a plain 640x480 frame.</summary>
    private static Mat FarMessi(out int x0, out int y0)
    {
        using var messi = Cv2.ImRead(TestPaths.RequireInstalled(System.IO.Path.Combine(TestPaths.OpenCvSamples, "messi5.jpg"), "opencv-doc"));
        using var small = new Mat();
        Cv2.Resize(messi, small, new Size(0, 0), 0.48, 0.48, InterpolationFlags.Area);
        var frame = new Mat(480, 640, MatType.CV_8UC3, new Scalar(90, 110, 120));
        (x0, y0) = (300, 250);
        small.CopyTo(new Mat(frame, new Rect(x0, y0, small.Width, small.Height)));
        return frame;
    }

    // Messi's face in messi5.jpg spans about x 210-262, y 68-128.
    private static bool IsMessi(FaceDetection f, int x0, int y0) =>
        f.CenterX > x0 + (0.48 * 205) && f.CenterX < x0 + (0.48 * 267) && f.CenterY > y0 + (0.48 * 63) && f.CenterY < y0 + (0.48 * 133);
}
