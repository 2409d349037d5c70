using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using FogLens.Compression;
using FogLens.Federated;

namespace FogLens.Benchmarks;

/// <summary>
/// Delta broadcast (<see cref="ModelBroadcast"/>) on a model of the age network's size (1.34 M parameters in 8 large
/// tensors plus 16 small ones): what the portal spends per new version (encode W − B and apply it), what a fog spends per
/// delta (apply), and the fingerprint both compute. The global model differs from the held one in 2 % of its values,
/// as after a round of sparse updates.
/// </summary>
[Config(typeof(Config))]
[MemoryDiagnoser]
public class BroadcastBenchmarks
{
    private ModelState _held = null!;
    private ModelState _global = null!;
    private byte[] _delta = [];

    [Params("topk", "stc")]
    public string Codec { get; set; } = "topk";

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        var specs = Enumerable.Range(0, 8).Select(t => new TensorSpec($"block{t}.weight", [167_000])).Concat(Enumerable.Range(0, 16).Select(t => new TensorSpec($"block{t}.bias", [256]))).ToArray();
        _held = new ModelState(specs, [.. specs.Select(s => Enumerable.Range(0, (int)s.ElementCount).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray())]);
        _global = _held.Clone();
        foreach (var values in _global.Values)
        {
            for (var i = rng.Next(50); i < values.Length; i += 50)
            {
                values[i] += (float)(rng.NextDouble() - 0.5) * 1e-2f;
            }
        }

        _delta = ModelBroadcast.Encode(_held, _global, UpdateCodecs.Parse(Codec), Options).Payload;
    }

    private static CodecOptions Options => new() { Sparsity = 0.01, DenseMaxElements = 1024 };

    [Benchmark]
    public ModelState EncodeOnThePortal() => ModelBroadcast.Encode(_held, _global, UpdateCodecs.Parse(Codec), Options).Next;

    [Benchmark]
    public ModelState ApplyOnAFog() => ModelBroadcast.Apply(_held, _delta);

    [Benchmark]
    public string Fingerprint() => ModelBroadcast.Fingerprint(_held);

    private sealed class Config : ManualConfig
    {
        public Config() => AddJob(Job.Default.WithWarmupCount(2).WithIterationCount(8).WithLaunchCount(1));
    }
}
