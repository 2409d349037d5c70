using System.Data;
using FogLens.CloudPortal.Common;
using Microsoft.Extensions.Options;
using Npgsql;

namespace FogLens.CloudPortal.Cluster;

/// <summary>
/// Elects the one replica that runs the round coordinator. On PostgreSQL the leader is the replica holding the session
/// advisory lock <see cref="LockKey"/> on a dedicated connection (not from the pool, <c>Application Name</c>
/// <c>foglens-portal-{InstanceId}</c>, so <c>pg_locks</c> joined with <c>pg_stat_activity</c> shows who leads). The
/// server releases the lock the moment that connection ends — a killed replica's socket is closed by its kernel, a
/// replica cut off by the network is dropped by TCP keepalives — so there is no lease clock to tune and no clock skew
/// between replicas; followers try the lock every <see cref="ProbeInterval"/>. A leader checks its connection on the
/// same beat and steps down (its term's token is cancelled) as soon as the check fails, because it can no longer know
/// whether it still holds the lock. On SQLite (one process owns the file) this replica always leads.
/// </summary>
public sealed partial class LeaderElection : BackgroundService
{
    /// <summary>Advisory lock id of the coordinator ("FogLens" in ASCII).</summary>
    public const long LockKey = 0x466F674C656E73;

    public static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(1);

    private readonly string? _connectionString;
    private readonly string _instance;
    private readonly ILogger<LeaderElection> _logger;
    private readonly Lock _gate = new();
    private TaskCompletionSource<CancellationToken> _elected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource? _term;

    public LeaderElection(IOptions<DatabaseOptions> database, IOptions<PortalOptions> portal, ILogger<LeaderElection> logger)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(portal);
        _logger = logger;
        _instance = portal.Value.InstanceId is { Length: > 0 } id ? id : Environment.MachineName;
        if (database.Value.IsPostgres)
        {
            _connectionString = new NpgsqlConnectionStringBuilder(database.Value.ConnectionString)
            {
                Pooling = false,
                ApplicationName = "foglens-portal-" + _instance,
                KeepAlive = 5,
                TcpKeepAlive = true,
            }.ConnectionString;
        }
        else
        {
            Elect(); // SQLite: a single portal, always the leader
        }
    }

    /// <summary>True while this replica leads.</summary>
    public bool IsLeader
    {
        get
        {
            lock (_gate)
            {
                return _term is { IsCancellationRequested: false };
            }
        }
    }

    /// <summary>Waits until this replica leads; the token returned is cancelled when its term ends.</summary>
    public async Task<CancellationToken> WaitForTermAsync(CancellationToken cancellationToken)
    {
        Task<CancellationToken> elected;
        lock (_gate)
        {
            elected = _elected.Task;
        }

        return await elected.WaitAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_connectionString is null)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(_connectionString);
                await connection.OpenAsync(stoppingToken);
                while (!await TryLockAsync(connection, stoppingToken))
                {
                    await Task.Delay(ProbeInterval, stoppingToken);
                }

                Elect();
                LogElected(_instance);
                while (connection.State == ConnectionState.Open)
                {
                    await Task.Delay(ProbeInterval, stoppingToken);
                    await using var probe = new NpgsqlCommand("SELECT 1", connection);
                    await probe.ExecuteScalarAsync(stoppingToken);
                }

                StepDown();
                LogLost(_instance, "connection closed");
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException && !stoppingToken.IsCancellationRequested)
            {
                if (StepDown())
                {
                    LogLost(_instance, ex.Message);
                }

                await Task.Delay(ProbeInterval, stoppingToken);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        StepDown();
        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        StepDown();
        base.Dispose();
    }

    private static async Task<bool> TryLockAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection);
        command.Parameters.AddWithValue("key", LockKey);
        return await command.ExecuteScalarAsync(cancellationToken) is true;
    }

    private void Elect()
    {
        lock (_gate)
        {
            _term = new CancellationTokenSource();
            _elected.TrySetResult(_term.Token);
        }
    }

    /// <summary>Ends the current term, if any; true when there was one.</summary>
    private bool StepDown()
    {
        CancellationTokenSource? term;
        lock (_gate)
        {
            term = _term;
            _term = null;
            if (_elected.Task.IsCompleted)
            {
                _elected = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        if (term is null)
        {
            return false;
        }

        term.Cancel(); // not disposed: the term's token may still be linked by the coordinator loop
        return true;
    }

    [LoggerMessage(EventId = 4501, Level = LogLevel.Information, Message = "Replica {Instance} is the coordinator's leader (PostgreSQL advisory lock held)")]
    private partial void LogElected(string instance);

    [LoggerMessage(EventId = 4502, Level = LogLevel.Warning, Message = "Replica {Instance} stepped down: its election connection failed ({Reason})")]
    private partial void LogLost(string instance, string reason);
}
