namespace FogLens.Launch;

/// <summary>The line of a tier's log that most likely says why it stopped, for the launcher's one-line error.</summary>
public static class LogTail
{
    private static readonly string[] Signals = ["error", "fail", "invalid", "exception", "refus", "cannot", "denied"];

    /// <summary>The last line of the log's tail that names a failure (trimmed), or null.</summary>
    public static string? LastProblem(string logPath, int tailLines = 200)
    {
        if (!File.Exists(logPath))
        {
            return null;
        }

        string[] lines;
        try
        {
            using var stream = new FileStream(logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            lines = reader.ReadToEnd().Split('\n');
        }
        catch (IOException)
        {
            return null;
        }

        foreach (var raw in lines.TakeLast(tailLines).Reverse())
        {
            var line = raw.Trim();
            if (line.Length > 0 && !line.StartsWith("at ", StringComparison.Ordinal) && Signals.Any(s => line.Contains(s, StringComparison.OrdinalIgnoreCase)))
            {
                return line.Length <= 240 ? line : line[..237] + "...";
            }
        }

        return null;
    }
}
