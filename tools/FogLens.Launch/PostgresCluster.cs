using System.Diagnostics;

namespace FogLens.Launch;

/// <summary>
/// A PostgreSQL cluster from Debian's postgresql package on 127.0.0.1 (trust authentication for the local
/// superuser, so only for a single-user machine: demos and tests). Run as root, the server runs as the
/// <c>postgres</c> user. <see cref="Start"/> explains why when it cannot start.
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    private readonly string _bin;
    private readonly bool _asPostgres;

    private PostgresCluster(string bin, string folder, int port, bool asPostgres)
    {
        _bin = bin;
        Folder = folder;
        Port = port;
        _asPostgres = asPostgres;
    }

    public string Folder { get; }

    public int Port { get; }

    /// <summary>The newest Debian PostgreSQL bin folder, or null with the reason.</summary>
    public static string? FindBin(out string? reason)
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending().FirstOrDefault()
            : null;
        reason = bin is null ? "Debian's postgresql package is not installed (./foglens setup installs it)" : null;
        return bin;
    }

    /// <summary>Creates (or reuses) a cluster in <paramref name="folder"/> and starts it on <paramref name="port"/>.</summary>
    public static PostgresCluster Start(string folder, int port, bool fast)
    {
        var bin = FindBin(out var reason) ?? throw new InvalidOperationException(reason);
        var root = Environment.UserName == "root";
        Directory.CreateDirectory(folder);
        var cluster = new PostgresCluster(bin, Path.GetFullPath(folder), port, root);
        if (root)
        {
            Run("chown", ["-R", "postgres:postgres", cluster.Folder], asPostgres: false);
            LetOthersTraverse(Path.GetDirectoryName(cluster.Folder));
        }

        var data = Path.Combine(cluster.Folder, "data");
        if (!File.Exists(Path.Combine(data, "PG_VERSION")))
        {
            cluster.Postgres("initdb", ["-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"]);
        }

        var settings = $"-p {port} -k {cluster.Folder} -c listen_addresses=127.0.0.1" + (fast ? " -c fsync=off -c full_page_writes=off" : string.Empty);
        cluster.Postgres("pg_ctl", ["-D", data, "-l", Path.Combine(cluster.Folder, "server.log"), "-w", "-t", "60", "-o", settings, "start"]);
        return cluster;
    }

    /// <summary>Connection string of the database <paramref name="name"/>, created when missing.</summary>
    public string Database(string name)
    {
        if (!name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
        {
            throw new ArgumentException("database names here are a-z, 0-9 and _", nameof(name));
        }

        var exists = Postgres("psql", ["-h", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", "postgres", "-tAc", $"SELECT 1 FROM pg_database WHERE datname = '{name}'"]).Trim() == "1";
        if (!exists)
        {
            Postgres("psql", ["-h", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", "postgres", "-c", $"CREATE DATABASE {name}"]);
        }

        return $"Host=127.0.0.1;Port={Port};Username=postgres;Database={name}";
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            Postgres("pg_ctl", ["-D", Path.Combine(Folder, "data"), "-m", "fast", "-w", "stop"]);
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>The server runs as <c>postgres</c>: it must be able to reach its folder (temporary folders are 0700).</summary>
    private static void LetOthersTraverse(string? folder)
    {
        for (var dir = folder; !string.IsNullOrEmpty(dir) && !OperatingSystem.IsWindows(); dir = Path.GetDirectoryName(dir))
        {
            var mode = File.GetUnixFileMode(dir);
            if (!mode.HasFlag(UnixFileMode.OtherExecute))
            {
                File.SetUnixFileMode(dir, mode | UnixFileMode.OtherExecute);
            }
        }
    }

    private string Postgres(string tool, string[] arguments) => Run(Path.Combine(_bin, tool), arguments, _asPostgres);

    private static string Run(string file, string[] arguments, bool asPostgres)
    {
        var info = asPostgres ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", file, .. arguments]) : new ProcessStartInfo(file, arguments);
        info.RedirectStandardError = true;
        info.RedirectStandardOutput = true;
        info.WorkingDirectory = "/";
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{file} did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(90_000) || process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(file)} failed: {stderr.Result.Trim()} {stdout.Result.Trim()}".Trim());
        }

        return stdout.Result;
    }
}
