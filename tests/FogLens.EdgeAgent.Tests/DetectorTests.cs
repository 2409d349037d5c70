using FogLens.EdgeAgent.Detection;
using FogLens.Tests.Shared;
using OpenCvSharp;

namespace FogLens.EdgeAgent.Tests;

public sealed class DetectorTests
{
    private static string Messi => TestPaths.RequireInstalled(Path.Combine(TestPaths.OpenCvSamples, "messi5.jpg"), "opencv-doc");

    [Fact]
    public void BlazeFaceBack_FindsMessiInTheWholeFrame()
    {
        using var detector = new BlazeFaceDetector(BlazeFaceDetector.DefaultPath(TestPaths.RepoRoot, BlazeFaceModel.Back), scoreThreshold: 0.5f);
        using var image = Cv2.ImRead(Messi);
        var faces = detector.Detect(image);
        Assert.Single(faces);
        AssertIsMessisFace(faces[0]);
    }

    [Fact]
    public void BlazeFaceFront_FindsMessiInARegionAroundHim()
    {
        // The short-range model needs the face to fill more of its 128x128 input than in the whole frame.
        using var detector = new BlazeFaceDetector(BlazeFaceDetector.DefaultPath(TestPaths.RepoRoot, BlazeFaceModel.Front));
        using var image = Cv2.ImRead(Messi);
        var faces = detector.Detect(image, new Rect(140, 20, 200, 200));
        Assert.Single(faces);
        AssertIsMessisFace(faces[0]);
    }

    [Fact]
    public void Haar_FindsMessi()
    {
        using var detector = new HaarFaceDetector();
        using var image = Cv2.ImRead(Messi);
        var faces = detector.Detect(image);
        Assert.Contains(faces, f => IsMessisFace(f));
    }

    [Fact]
    public void BlazeFace_FaceFreeImage_FindsNothing()
    {
        using var detector = new BlazeFaceDetector(BlazeFaceDetector.DefaultPath(TestPaths.RepoRoot, BlazeFaceModel.Front));
        using var image = Cv2.ImRead(TestPaths.RequireInstalled(Path.Combine(TestPaths.OpenCvSamples, "building.jpg"), "opencv-doc"));
        Assert.Empty(detector.Detect(image));
    }

    [Fact]
    public void BlazeFace_RegionWithoutFace_FindsNothing()
    {
        using var detector = new BlazeFaceDetector(BlazeFaceDetector.DefaultPath(TestPaths.RepoRoot, BlazeFaceModel.Front), scoreThreshold: 0.5f);
        using var image = Cv2.ImRead(Messi);
        Assert.Empty(detector.Detect(image, new Rect(300, 200, 200, 142)));
    }

    [Fact]
    public void WeightedNms_MergesOverlapsAndKeepsSeparateFaces()
    {
        var merged = WeightedNms.Apply(
        [
            new FaceDetection(10, 10, 20, 20, 0.9f),
            new FaceDetection(12, 12, 20, 20, 0.6f),
            new FaceDetection(100, 100, 20, 20, 0.8f),
        ], 0.3f);
        Assert.Equal(2, merged.Count);
        Assert.Equal(0.9f, merged[0].Score);
        Assert.InRange(merged[0].X, 10f, 12f);
    }

    // Messi's face in messi5.jpg (548x342) spans about x 210-262, y 68-128.
    private static bool IsMessisFace(FaceDetection face) =>
        face.CenterX is > 215 and < 260 && face.CenterY is > 75 and < 125 && face.Width is > 20 and < 80;

    private static void AssertIsMessisFace(FaceDetection face) =>
        Assert.True(IsMessisFace(face), $"not Messi's face: {face}");
}
