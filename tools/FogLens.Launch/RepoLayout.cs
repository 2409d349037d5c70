namespace FogLens.Launch;

/// <summary>Finds the repository and the build outputs of the deployables.</summary>
public static class RepoLayout
{
    public static string Root { get; } = FindRoot();

    public static string Configuration =>
        Environment.GetEnvironmentVariable("FOGLENS_CONFIGURATION") is { Length: > 0 } c ? c : "Release";

    /// <summary>Path of a deployable's built assembly, e.g. ("cloud-portal", "FogLens.CloudPortal").</summary>
    public static string Deployable(string folder, string assembly) =>
        Path.Combine(Root, folder, "bin", Configuration, "net10.0", assembly + ".dll");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "FogLens.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? Directory.GetCurrentDirectory();
    }
}
