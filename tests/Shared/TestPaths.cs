namespace FogLens.Tests.Shared;

/// <summary>Locations tests need: the repository root, installed sample data, and the shared dataset.</summary>
internal static class TestPaths
{
    /// <summary>Sample video and images shipped by Debian's opencv-doc (installed by ./foglens setup).</summary>
    public const string OpenCvSamples = "/usr/share/doc/opencv-doc/examples/data";

    private static readonly Lazy<string> Root = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "FogLens.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("FogLens.slnx not found above " + AppContext.BaseDirectory);
    });

    public static string RepoRoot => Root.Value;

    /// <summary>The labelled UTKFace folder from FOGLENS_DATASET or ../shared/datasets/utkface-part1, or null.</summary>
    public static string? Dataset
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable("FOGLENS_DATASET");
            var candidate = string.IsNullOrWhiteSpace(configured)
                ? Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "datasets", "utkface-part1"))
                : configured;
            return Directory.Exists(candidate) ? candidate : null;
        }
    }

    /// <summary>Skips the calling test with a message when the dataset is absent.</summary>
    public static string RequireDataset()
    {
        var dataset = Dataset;
        Assert.SkipWhen(dataset is null, "the UTKFace dataset is absent: set FOGLENS_DATASET or place it at ../shared/datasets/utkface-part1");
        return dataset!;
    }

    /// <summary>Path of a file installed by ./foglens setup; fails (not skips) with a clear message when missing.</summary>
    public static string RequireInstalled(string path, string package)
    {
        Assert.True(File.Exists(path), $"{path} is missing: it comes from the Debian package '{package}', installed by ./foglens setup");
        return path;
    }
}
