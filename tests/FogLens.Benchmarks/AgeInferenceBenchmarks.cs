using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using FogLens.AgeModel;
using FogLens.AgeModel.Inference;
using FogLens.AgeModel.Training;
using OpenCvSharp;

namespace FogLens.Benchmarks;

/// <summary>
/// Age inference with ONNX Runtime (2 intra-op threads) for batches of 1, 16 and 64 faces: the network
/// alone on prepared tensors, and the full path from 200x200 BGR crops (preprocessing included).
/// Uses the committed models/age/age-net.onnx and its int8 graph age-net.int8.onnx (ONNX Runtime only; no TorchSharp in the benchmark process).
/// Faces/s = Batch / mean time.
/// </summary>
[Config(typeof(Config))]
[MemoryDiagnoser]
public class AgeInferenceBenchmarks : IDisposable
{
    private AgeEstimator _estimator = null!;
    private float[] _prepared = [];
    private Mat[] _crops = [];

    [Params(1, 16, 64)]
    public int Batch { get; set; }

    [Params(AgeModelPrecision.Fp32, AgeModelPrecision.Int8)]
    public AgeModelPrecision Precision { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _estimator = new AgeEstimator(ModelFiles.OnnxFor(Path.Combine(BenchPaths.Root, "models", "age", ModelFiles.Onnx), Precision), intraOpThreads: 2);
        _prepared = new float[Batch * _estimator.Preprocessor.TensorLength];
        var rng = new Random(1);
        for (var i = 0; i < _prepared.Length; i++)
        {
            _prepared[i] = (float)((rng.NextDouble() * 2) - 1);
        }

        _crops = [.. Enumerable.Range(0, Batch).Select(_ =>
        {
            var m = new Mat(200, 200, MatType.CV_8UC3);
            Cv2.Randu(m, new Scalar(0, 0, 0), new Scalar(256, 256, 256));
            return m;
        })];
    }

    public void Dispose()
    {
        Cleanup();
        GC.SuppressFinalize(this);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _estimator.Dispose();
        foreach (var m in _crops)
        {
            m.Dispose();
        }
    }

    [Benchmark]
    public int Network() => _estimator.PredictPrepared(_prepared, Batch).Count;

    [Benchmark]
    public int CropsToAges() => _estimator.Predict(_crops).Count;

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(10).WithLaunchCount(1));
            AddColumn(new PerSecondColumn("faces/s", "Batch", 1));
        }
    }
}
