using FogLens.EdgeAgent.Detection;
using FogLens.Tests.Shared;
using OpenCvSharp;

namespace FogLens.EdgeAgent.Tests;

/// <summary>
/// ONNX Runtime's managed Run passes the run options to native code as a raw handle: options created inline in the
/// call can be finalised and freed by a garbage collection on another thread while the run reads them. The detector
/// owns its run options; this test collects garbage as fast as it can while detecting.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class OnnxLifetimeTests
{
    [Fact]
    public async Task Detect_WhileAnotherThreadCollectsGarbage_RunsToTheEnd()
    {
        using var detector = new BlazeFaceDetector(BlazeFaceDetector.DefaultPath(TestPaths.RepoRoot, BlazeFaceModel.Front));
        using var frame = new Mat(128, 128, MatType.CV_8UC3, Scalar.Gray);
        var calls = 0;
        await using (new GarbageCollectorPressure(TestContext.Current.CancellationToken))
        {
            for (var i = 0; i < 5_000; i++)
            {
                detector.Detect(frame);
                calls++;
            }
        }

        Assert.Equal(5_000, calls);
    }
}
