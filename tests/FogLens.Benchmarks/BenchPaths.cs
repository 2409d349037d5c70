namespace FogLens.Benchmarks;

/// <summary>Locations the benchmarks read from.</summary>
internal static class BenchPaths
{
    /// <summary>The repository root (the folder holding FogLens.slnx) above the benchmark binary.</summary>
    public static string Root { get; } = Find();

    private static string Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "FogLens.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? ".";
    }
}
