using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(FogLens.Benchmarks.CodecBenchmarks).Assembly).Run(args);
