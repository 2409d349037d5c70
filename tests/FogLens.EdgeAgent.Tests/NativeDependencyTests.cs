using FogLens.Tests.Shared;
using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;

namespace FogLens.EdgeAgent.Tests;

public sealed class NativeDependencyTests
{
    [Fact]
    public void OpenCv_ReadsEveryFrameOfSampleVideo()
    {
        var path = TestPaths.RequireInstalled(Path.Combine(TestPaths.OpenCvSamples, "vtest.avi"), "opencv-doc");
        using var capture = new VideoCapture(path);
        Assert.True(capture.IsOpened(), "VideoCapture could not open vtest.avi (FFmpeg backend missing?)");
        var declared = capture.FrameCount;
        using var frame = new Mat();
        var frames = 0;
        while (capture.Read(frame) && !frame.Empty())
        {
            Assert.Equal(768, frame.Width);
            Assert.Equal(576, frame.Height);
            frames++;
        }

        Assert.True(frames > 100, $"read only {frames} frames");
        Assert.Equal(declared, frames);
    }

    [Theory]
    [InlineData("face_detection_front_128x128_barracuda.onnx", 128)]
    [InlineData("face_detection_back_256x256_barracuda.onnx", 256)]
    public void BlazeFace_LoadsWithExpectedInputAndOutputShapes(string file, int size)
    {
        var path = Path.Combine(TestPaths.RepoRoot, "models", "blazeface", file);
        Assert.True(File.Exists(path), $"{path} is missing: run ./foglens setup (models/fetch-blazeface.sh)");
        using var session = new InferenceSession(path);

        var input = Assert.Single(session.InputMetadata);
        Assert.Equal("input:0", input.Key);
        Assert.Equal(new[] { 1, size, size, 3 }, input.Value.Dimensions);

        var outputs = session.OutputMetadata;
        Assert.Equal(new[] { 1, 512, 1 }, outputs["Identity:0"].Dimensions);
        Assert.Equal(new[] { 1, 384, 1 }, outputs["Identity_1:0"].Dimensions);
        Assert.Equal(new[] { 1, 512, 16 }, outputs["Identity_2:0"].Dimensions);
        Assert.Equal(new[] { 1, 384, 16 }, outputs["Identity_3:0"].Dimensions);
    }
}
