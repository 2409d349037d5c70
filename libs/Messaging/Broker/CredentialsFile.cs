namespace FogLens.Messaging.Broker;

/// <summary>
/// Node credentials kept in a file instead of one setting per node (a Kubernetes secret or a file of mode
/// 0600): one "id password" pair per line, '#' comments and blank lines ignored. Environment variable names
/// cannot hold the '-' of ids like "edge-1" in bash, and a file keeps secrets out of process environments.
/// </summary>
public static class CredentialsFile
{
    /// <summary>Reads the file into <paramref name="into"/> (entries already there win); returns the problems found, with line numbers.</summary>
    public static IReadOnlyList<string> Read(string path, IDictionary<string, string> into, Func<string, bool> isValidId)
    {
        ArgumentNullException.ThrowIfNull(into);
        ArgumentNullException.ThrowIfNull(isValidId);
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [$"cannot read {path}: {ex.Message}"];
        }

        var problems = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var parts = line.Split((char[])[' ', '\t'], 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || !isValidId(parts[0]))
            {
                problems.Add($"{path} line {i + 1}: expected \"<id> <password>\" with a valid id");
                continue;
            }

            into.TryAdd(parts[0], parts[1]);
        }

        return problems;
    }
}
