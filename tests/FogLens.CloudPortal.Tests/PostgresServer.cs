using System.Diagnostics;
using FogLens.Tests.Shared.Mqtt;
using Npgsql;

namespace FogLens.CloudPortal.Tests;

/// <summary>
/// A throw-away PostgreSQL cluster from Debian's postgresql package on 127.0.0.1 and a free port (trust
/// authentication, fsync off), started once for the test run. Tests call <see cref="RequireAsync"/>,
/// which skips them with the reason when no cluster can be started on this machine.
/// </summary>
internal sealed class PostgresServer
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static PostgresServer? _instance;
    private static string? _unavailable;

    private PostgresServer(int port, string folder)
    {
        Port = port;
        Folder = folder;
    }

    public int Port { get; }

    public string Folder { get; }

    /// <summary>Connection string of a new, empty database.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "foglens_" + Guid.NewGuid().ToString("N")[..12];
        await using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await command.ExecuteNonQueryAsync();
        return $"Host=127.0.0.1;Port={Port};Username=postgres;Database={name}";
    }

    public static async Task<PostgresServer> RequireAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_instance is null && _unavailable is null)
            {
                (_instance, _unavailable) = Start();
            }
        }
        finally
        {
            Gate.Release();
        }

        Assert.SkipWhen(_instance is null, "PostgreSQL tests skipped: " + _unavailable);
        return _instance!;
    }

    private static (PostgresServer?, string?) Start()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending().FirstOrDefault()
            : null;
        if (bin is null)
        {
            return (null, "Debian's postgresql package is not installed (./foglens setup installs it)");
        }

        var root = Environment.UserName == "root";
        var folder = Directory.CreateTempSubdirectory("foglens-pg-").FullName;
        var port = TestBroker.FreePort();
        try
        {
            if (root)
            {
                Run("chown", ["postgres:postgres", folder], asPostgres: false);
            }

            Run(Path.Combine(bin, "initdb"), ["-D", Path.Combine(folder, "data"), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"], root);
            Run(Path.Combine(bin, "pg_ctl"), ["-D", Path.Combine(folder, "data"), "-l", Path.Combine(folder, "log"), "-w", "-t", "60", "-o", $"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off", "start"], root);
        }
        catch (InvalidOperationException ex)
        {
            return (null, ex.Message);
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Run(Path.Combine(bin, "pg_ctl"), ["-D", Path.Combine(folder, "data"), "-m", "immediate", "stop"], root);
                Directory.Delete(folder, recursive: true);
            }
            catch (Exception ex) when (ex is InvalidOperationException or IOException or UnauthorizedAccessException)
            {
                // best effort at exit
            }
        };
        return (new PostgresServer(port, folder), null);
    }

    private static void Run(string file, string[] args, bool asPostgres)
    {
        var info = asPostgres ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", file, .. args]) : new ProcessStartInfo(file, args);
        info.RedirectStandardError = true;
        info.RedirectStandardOutput = true;
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{file} did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(90_000) || process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(file)} failed: {stderr.Result.Trim()} {stdout.Result.Trim()}".Trim());
        }
    }
}
