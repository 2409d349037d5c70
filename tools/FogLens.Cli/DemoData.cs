namespace FogLens.Cli;

/// <summary>What an earlier demo left in its data directory: a notice when it is reused, and --fresh.</summary>
internal static class DemoData
{
    /// <summary>Kept by --fresh: the rendered camera feeds (slow to make, never changed by a run) and the held lock.</summary>
    private static readonly HashSet<string> Kept = new(StringComparer.Ordinal) { "scenes", "labelled-scenes", "launcher.lock", "launcher.pid" };

    /// <summary>A short description of the data an earlier run left (null when there is none).</summary>
    public static string? Describe(string root)
    {
        var database = Path.Combine(root, "portal", "portal.db");
        if (File.Exists(database))
        {
            var info = new FileInfo(database);
            return FormattableString.Invariant($"portal database of {info.Length / 1e6:0.0} MB, last written {info.LastWriteTime:yyyy-MM-dd HH:mm}");
        }

        return Directory.Exists(Path.Combine(root, "postgres")) ? "PostgreSQL data of an --external run" : null;
    }

    /// <summary>Deletes databases, outboxes, broker files, secrets and logs; returns the names removed.</summary>
    public static IReadOnlyList<string> Clear(string root)
    {
        List<string> removed = [];
        if (!Directory.Exists(root))
        {
            return removed;
        }

        foreach (var entry in new DirectoryInfo(root).EnumerateFileSystemInfos())
        {
            if (Kept.Contains(entry.Name))
            {
                continue;
            }

            if (entry is DirectoryInfo directory)
            {
                directory.Delete(recursive: true);
            }
            else
            {
                entry.Delete();
            }

            removed.Add(entry.Name);
        }

        removed.Sort(StringComparer.Ordinal);
        return removed;
    }
}
