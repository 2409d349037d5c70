using BenchmarkDotNet.Running;

if (args is ["fog-throughput", .. var rest])
{
    return await FogLens.Benchmarks.FogThroughputBench.RunAsync(rest);
}

BenchmarkSwitcher.FromAssembly(typeof(FogLens.Benchmarks.CodecBenchmarks).Assembly).Run(args);
return 0;
