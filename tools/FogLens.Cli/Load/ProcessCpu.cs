using System.Globalization;

namespace FogLens.Cli.Load;

/// <summary>CPU seconds (user + system) of processes, read from /proc (Linux), to say where a load run's time went.</summary>
internal static class ProcessCpu
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    /// <summary>CPU seconds of <paramref name="pid"/> and, when <paramref name="withChildren"/>, of its direct children (PostgreSQL's backends).</summary>
    public static double Seconds(int pid, bool withChildren = false)
    {
        var total = Read(pid, withReaped: withChildren);
        if (withChildren && Directory.Exists("/proc"))
        {
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var child) && ParentOf(child) == pid)
                {
                    total += Read(child);
                }
            }
        }

        return total;
    }

    /// <summary>The postmaster's process id from <c>postmaster.pid</c> of a cluster's data folder, or null.</summary>
    public static int? Postmaster(string dataFolder)
    {
        var file = Path.Combine(dataFolder, "postmaster.pid");
        return File.Exists(file) && int.TryParse(File.ReadLines(file).FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
    }

    /// <summary>utime + stime, and with <paramref name="withReaped"/> cutime + cstime (children that have exited).</summary>
    private static double Read(int pid, bool withReaped = false)
    {
        var fields = Fields(pid);
        if (fields is null)
        {
            return 0;
        }

        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        if (withReaped)
        {
            ticks += long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
        }

        return ticks / TicksPerSecond;
    }

    private static int? ParentOf(int pid) => Fields(pid) is { } f ? int.Parse(f[1], CultureInfo.InvariantCulture) : null;

    /// <summary>The fields of /proc/PID/stat after the command name (state [0], ppid [1], utime [11], stime [12], cutime [13], cstime [14]).</summary>
    private static string[]? Fields(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            return text[(text.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
