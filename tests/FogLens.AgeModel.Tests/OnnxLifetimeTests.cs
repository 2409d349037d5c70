using FogLens.AgeModel.Inference;
using FogLens.Tests.Shared;

namespace FogLens.AgeModel.Tests;

/// <summary>
/// ONNX Runtime's managed Run passes the run options to native code as a raw handle. A RunOptions created inline in
/// the call is unreachable while the native run is still going, so a garbage collection on another thread can
/// finalise it and free it under the run (a segfault in libonnxruntime.so that crashed two camera evaluations). The
/// estimator owns its run options; this test collects garbage as fast as it can while inferring.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class OnnxLifetimeTests
{
    [Fact]
    public async Task PredictPrepared_WhileAnotherThreadCollectsGarbage_RunsToTheEnd()
    {
        using var estimator = new AgeEstimator(Path.Combine(TestPaths.RepoRoot, "models", "age", "age-net.onnx"));
        var inputs = new float[estimator.Preprocessor.TensorLength];
        var done = 0;
        await using (new GarbageCollectorPressure(TestContext.Current.CancellationToken))
        {
            for (var i = 0; i < 10_000; i++)
            {
                done += estimator.PredictPrepared(inputs, 1).Count;
            }
        }

        Assert.Equal(10_000, done);
    }
}
