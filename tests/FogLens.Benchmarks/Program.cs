using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

if (args is ["fog-throughput", .. var rest])
{
    return await FogLens.Benchmarks.FogThroughputBench.RunAsync(rest);
}

if (args is ["data", .. var dataArgs])
{
    return await FogLens.Benchmarks.DataBench.RunAsync(dataArgs);
}

// BenchmarkDotNet builds a boilerplate project per job; on a busy 2-core machine that took longer than its default two
// minutes and every benchmark came out "NA". A benchmark that did not run is a failure, not a table.
var config = ManualConfig.Create(DefaultConfig.Instance).WithBuildTimeout(TimeSpan.FromMinutes(15));
var summaries = BenchmarkSwitcher.FromAssembly(typeof(FogLens.Benchmarks.CodecBenchmarks).Assembly).Run(args, config);
var failed = summaries.Where(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.BuildResult.IsBuildSuccess || !r.Success)).ToList();
foreach (var s in failed)
{
    Console.Error.WriteLine($"benchmarks failed to build or run: {s.Title}");
}

return failed.Count == 0 && summaries.Any() ? 0 : 1;
