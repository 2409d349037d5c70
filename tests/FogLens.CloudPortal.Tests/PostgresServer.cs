using FogLens.Launch;
using FogLens.Tests.Shared.Mqtt;
using Npgsql;

namespace FogLens.CloudPortal.Tests;

/// <summary>
/// A throw-away PostgreSQL cluster (the launcher's <see cref="PostgresCluster"/>: Debian's postgresql package,
/// 127.0.0.1, a free port, fsync off), started once for the test run. Tests call <see cref="RequireAsync"/>,
/// which skips them with the reason when no cluster can be started on this machine.
/// </summary>
internal sealed class PostgresServer
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static PostgresServer? _instance;
    private static string? _unavailable;

    private PostgresServer(int port) => Port = port;

    public int Port { get; }

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
        if (PostgresCluster.FindBin(out var reason) is null)
        {
            return (null, reason);
        }

        var folder = Directory.CreateTempSubdirectory("foglens-pg-").FullName;
        PostgresCluster cluster;
        try
        {
            cluster = PostgresCluster.Start(folder, TestBroker.FreePort(), fast: true);
        }
        catch (InvalidOperationException ex)
        {
            return (null, ex.Message);
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            cluster.DisposeAsync().AsTask().GetAwaiter().GetResult();
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // best effort at exit
            }
        };
        return (new PostgresServer(cluster.Port), null);
    }
}
