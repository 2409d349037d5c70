namespace FogLens.Tests.Shared;

/// <summary>A temporary folder removed when the test ends (a site's data is ~100 MB); set FOGLENS_KEEP_TEST_DATA=1 to keep it.</summary>
internal sealed class TempFolder : IDisposable
{
    private TempFolder(string path) => Path = path;

    public string Path { get; }

    public static TempFolder Create(string prefix) => new(Directory.CreateTempSubdirectory(prefix).FullName);

    public void Dispose()
    {
        if (Environment.GetEnvironmentVariable("FOGLENS_KEEP_TEST_DATA") == "1")
        {
            return;
        }

        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // a child process still holds a file: the system's temp cleaner will take it
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
