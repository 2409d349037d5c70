using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using FogLens.Compression;

namespace FogLens.Benchmarks;

/// <summary>
/// Encode (with error feedback) and decode throughput of the update codecs on a model of N parameters in
/// 8 tensors of Gaussian values. "Mparams/s" = N / mean time.
/// </summary>
[Config(typeof(Config))]
[MemoryDiagnoser]
public class CodecBenchmarks
{
    private UpdateTensor[] _update = [];
    private IUpdateCodec _codec = null!;
    private CodecState _state = new();
    private byte[] _payload = [];

    [Params(1_000_000, 25_000_000)]
    public int Parameters { get; set; }

    [Params("sbc", "topk", "dense", "signsgd", "q8")]
    public string Codec { get; set; } = "sbc";

    [Params(0.01, 0.001)]
    public double Sparsity { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        const int tensors = 8;
        _update = new UpdateTensor[tensors];
        for (var t = 0; t < tensors; t++)
        {
            var values = new float[Parameters / tensors];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()) * 1e-3);
            }

            _update[t] = new UpdateTensor($"t{t}", [values.Length], values);
        }

        _codec = UpdateCodecs.Create(Codec, new CodecOptions { Sparsity = Sparsity });
        _state = new CodecState();
        _payload = _codec.Encode(_update, _state);
    }

    [Benchmark]
    public byte[] Encode() => _codec.Encode(_update, _state);

    [Benchmark]
    public DecodedUpdate Decode() => UpdateDecoder.Decode(_payload);

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.Default.WithWarmupCount(2).WithIterationCount(8).WithLaunchCount(1));
            AddColumn(new PerSecondColumn("Mparams/s", "Parameters", 1e6));
            WithSummaryStyle(SummaryStyle.Default.WithMaxParameterColumnWidth(20));
            // Sparsity only matters for sparse codecs: skip the duplicate dense-family cases.
            AddFilter(new BenchmarkDotNet.Filters.SimpleFilter(b =>
            {
                var codec = (string)b.Parameters["Codec"];
                var p = (double)b.Parameters["Sparsity"];
                return codec is "sbc" or "topk" || p == 0.01;
            }));
        }
    }
}
