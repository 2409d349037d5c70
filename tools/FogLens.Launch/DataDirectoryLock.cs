namespace FogLens.Launch;

/// <summary>
/// An exclusive lock on a launcher's data directory (<c>launcher.lock</c>, held open for the launcher's life; the
/// operating system drops it when the process ends, even on SIGKILL), so a second demo on the same directory stops
/// with one line instead of sharing databases and outboxes with the first. The holder's pid is in <c>launcher.pid</c>.
/// </summary>
public sealed class DataDirectoryLock : IDisposable
{
    private readonly FileStream _lock;

    private DataDirectoryLock(FileStream held) => _lock = held;

    public static DataDirectoryLock Acquire(string directory)
    {
        var root = Path.GetFullPath(directory);
        Directory.CreateDirectory(root);
        var pidFile = Path.Combine(root, "launcher.pid");
        FileStream held;
        try
        {
            held = new FileStream(Path.Combine(root, "launcher.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            var owner = File.Exists(pidFile) ? File.ReadAllText(pidFile).Trim() : "unknown";
            throw new SiteException($"the data directory {root} is in use by another FogLens demo (pid {owner}); stop it (Ctrl-C), or start this one with another --data-dir and --port");
        }

        File.WriteAllText(pidFile, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return new DataDirectoryLock(held);
    }

    public void Dispose() => _lock.Dispose();
}
