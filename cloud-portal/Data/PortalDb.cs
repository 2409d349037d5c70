using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.Extensions.Options;
using FogLens.CloudPortal.Common;

namespace FogLens.CloudPortal.Data;

/// <summary>Creates contexts of the configured provider and applies its migrations at start.</summary>
public sealed class PortalDb
{
    private readonly Func<PortalDbContext> _create;

    public PortalDb(IOptions<DatabaseOptions> database, IOptions<PortalOptions> portal)
    {
        var options = database.Value;
        Provider = options.IsPostgres ? "postgres" : "sqlite";
        if (options.IsPostgres)
        {
            var connection = options.ConnectionString
                ?? throw new OptionsValidationException(DatabaseOptions.Section, typeof(DatabaseOptions), ["Database:ConnectionString is required for PostgreSQL"]);
            var built = new DbContextOptionsBuilder<PostgresPortalDbContext>().UseNpgsql(connection).Options;
            _create = () => new PostgresPortalDbContext(built);
        }
        else
        {
            var connection = options.ConnectionString
                ?? $"Data Source={Path.Combine(Path.GetFullPath(portal.Value.DataDirectory), "portal.db")};Pooling=True";
            var built = new DbContextOptionsBuilder<SqlitePortalDbContext>().UseSqlite(connection).Options;
            _create = () => new SqlitePortalDbContext(built);
        }
    }

    public string Provider { get; }

    public PortalDbContext Create() => _create();

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var db = Create();
        await db.Database.MigrateAsync(cancellationToken);
        if (db.Database.IsSqlite())
        {
            // Write-ahead logging: readers (pages) do not block the ingest writer.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
    }

    /// <summary>
    /// Serialises changes to rounds across portal replicas: on PostgreSQL, begins a transaction on
    /// <paramref name="context"/> that holds the advisory lock <see cref="RoundsLockKey"/> until it commits or rolls
    /// back; on SQLite (one process, whose coordinator already serialises them) returns null.
    /// </summary>
    public static async Task<Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction?> LockRoundsAsync(PortalDbContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.Database.IsNpgsql())
        {
            return null;
        }

        var transaction = await context.Database.BeginTransactionAsync(cancellationToken);
        await context.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({RoundsLockKey})", cancellationToken);
        return transaction;
    }

    /// <summary>Advisory lock id guarding round changes ("FLRound" in ASCII); the leader's election lock is another.</summary>
    public const long RoundsLockKey = 0x464C526F756E64;

    /// <summary>True when <paramref name="ex"/> is a unique-constraint violation (a redelivered message).</summary>
    public static bool IsDuplicate(DbUpdateException ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        return ex.InnerException switch
        {
            Microsoft.Data.Sqlite.SqliteException s => s.SqliteErrorCode == 19, // SQLITE_CONSTRAINT
            Npgsql.PostgresException p => p.SqlState == Npgsql.PostgresErrorCodes.UniqueViolation,
            _ => false,
        };
    }
}

/// <summary>Design-time factory for `dotnet ef migrations add --context SqlitePortalDbContext`.</summary>
public sealed class SqliteDesignFactory : IDesignTimeDbContextFactory<SqlitePortalDbContext>
{
    public SqlitePortalDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqlitePortalDbContext>().UseSqlite("Data Source=design.db").Options);
}

/// <summary>Design-time factory for `dotnet ef migrations add --context PostgresPortalDbContext` (does not connect).</summary>
public sealed class PostgresDesignFactory : IDesignTimeDbContextFactory<PostgresPortalDbContext>
{
    public PostgresPortalDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresPortalDbContext>().UseNpgsql("Host=127.0.0.1;Database=foglens").Options);
}
