using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace FogLens.CloudPortal.Data;

/// <summary>
/// Stores a batch of demographics windows on PostgreSQL with three statements whatever the batch size: the windows
/// through <c>unnest</c> of one array per column with <c>ON CONFLICT ("MessageId") DO NOTHING RETURNING</c> (so a
/// redelivered window is told apart row by row, with no retry of the batch), their age groups the same way, and the
/// roll-up upsert (<see cref="DemographicsRollups"/>). EF Core's change tracker added about one millisecond of portal
/// CPU per window (a window and its groups are ~10 entities); measured in docs/benchmarks.md (portal ingest).
/// Runs in the context's current transaction.
/// </summary>
public static class PostgresWindowStore
{
    private const string InsertWindows = """
        INSERT INTO "Demographics" ("MessageId", "FogId", "EdgeId", "CameraId", "WindowStart", "WindowEnd", "Faces", "MeanAge", "ModelVersion", "ReceivedAt")
        SELECT * FROM unnest(@m, @f, @e, @c, @s, @n, @faces, @age, @v, @r)
        ON CONFLICT ("MessageId") DO NOTHING
        RETURNING "Id", "MessageId"
        """;

    private const string InsertGroups = """
        INSERT INTO "AgeGroups" ("WindowId", "Label", "MinAge", "Count")
        SELECT * FROM unnest(@w, @l, @a, @n)
        """;

    private const string UpsertRollups = """
        INSERT INTO "DemographicsRollups" ("Period", "BucketStart", "FogId", "CameraId", "Label", "MinAge", "Faces", "ShownFaces", "Windows")
        SELECT * FROM unnest(@p, @b, @f, @c, @l, @a, @faces, @shown, @w)
        ON CONFLICT ("Period", "FogId", "CameraId", "BucketStart", "Label") DO UPDATE SET
            "Faces" = "DemographicsRollups"."Faces" + excluded."Faces",
            "ShownFaces" = "DemographicsRollups"."ShownFaces" + excluded."ShownFaces",
            "Windows" = "DemographicsRollups"."Windows" + excluded."Windows",
            "MinAge" = excluded."MinAge"
        """;

    /// <summary>
    /// Inserts the windows (and their groups) not stored before; returns the message ids it inserted. The caller adds
    /// exactly those to the roll-ups, in the same transaction.
    /// </summary>
    public static async Task<HashSet<Guid>> InsertAsync(PortalDbContext context, IReadOnlyList<DemographicsWindow> windows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(windows);
        if (windows.Count == 0)
        {
            return [];
        }

        windows = [.. windows.OrderBy(w => w.MessageId)]; // one order for every batch: two replicas' batches holding the same redelivered ids never deadlock

        await using var insert = Command(context, InsertWindows);
        Add(insert, "m", NpgsqlDbType.Uuid, windows.Select(w => w.MessageId));
        Add(insert, "f", NpgsqlDbType.Text, windows.Select(w => w.FogId));
        Add(insert, "e", NpgsqlDbType.Text, windows.Select(w => w.EdgeId));
        Add(insert, "c", NpgsqlDbType.Text, windows.Select(w => w.CameraId));
        Add(insert, "s", NpgsqlDbType.TimestampTz, windows.Select(w => w.WindowStart.ToUniversalTime()));
        Add(insert, "n", NpgsqlDbType.TimestampTz, windows.Select(w => w.WindowEnd.ToUniversalTime()));
        Add(insert, "faces", NpgsqlDbType.Integer, windows.Select(w => w.Faces));
        Add(insert, "age", NpgsqlDbType.Double, windows.Select(w => w.MeanAge));
        Add(insert, "v", NpgsqlDbType.Text, windows.Select(w => w.ModelVersion));
        Add(insert, "r", NpgsqlDbType.TimestampTz, windows.Select(w => w.ReceivedAt.ToUniversalTime()));
        var ids = new Dictionary<Guid, long>(windows.Count);
        await using (var reader = await insert.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                ids[reader.GetGuid(1)] = reader.GetInt64(0);
            }
        }

        var groups = windows.Where(w => ids.ContainsKey(w.MessageId)).SelectMany(w => w.Groups.Select(g => (Window: ids[w.MessageId], Group: g))).ToList();
        if (groups.Count > 0)
        {
            await using var groupInsert = Command(context, InsertGroups);
            Add(groupInsert, "w", NpgsqlDbType.Bigint, groups.Select(g => g.Window));
            Add(groupInsert, "l", NpgsqlDbType.Text, groups.Select(g => g.Group.Label));
            Add(groupInsert, "a", NpgsqlDbType.Integer, groups.Select(g => g.Group.MinAge));
            Add(groupInsert, "n", NpgsqlDbType.Integer, groups.Select(g => g.Group.Count));
            await groupInsert.ExecuteNonQueryAsync(cancellationToken);
        }

        return [.. ids.Keys];
    }

    /// <summary>Adds roll-up rows to the stored ones in one statement (rows in key order: no deadlock between replicas).</summary>
    public static async Task UpsertRollupsAsync(PortalDbContext context, IReadOnlyList<DemographicsRollup> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            return;
        }

        await using var upsert = Command(context, UpsertRollups);
        Add(upsert, "p", NpgsqlDbType.Integer, rows.Select(r => (int)r.Period));
        Add(upsert, "b", NpgsqlDbType.TimestampTz, rows.Select(r => r.BucketStart.ToUniversalTime()));
        Add(upsert, "f", NpgsqlDbType.Text, rows.Select(r => r.FogId));
        Add(upsert, "c", NpgsqlDbType.Text, rows.Select(r => r.CameraId));
        Add(upsert, "l", NpgsqlDbType.Text, rows.Select(r => r.Label));
        Add(upsert, "a", NpgsqlDbType.Integer, rows.Select(r => r.MinAge));
        Add(upsert, "faces", NpgsqlDbType.Bigint, rows.Select(r => r.Faces));
        Add(upsert, "shown", NpgsqlDbType.Bigint, rows.Select(r => r.ShownFaces));
        Add(upsert, "w", NpgsqlDbType.Bigint, rows.Select(r => r.Windows));
        await upsert.ExecuteNonQueryAsync(cancellationToken);
    }

    private static NpgsqlCommand Command(PortalDbContext context, string sql)
    {
        var connection = (NpgsqlConnection)context.Database.GetDbConnection();
        var transaction = context.Database.CurrentTransaction?.GetDbTransaction() as NpgsqlTransaction
            ?? throw new InvalidOperationException("The window store runs in the ingest transaction.");
        return new NpgsqlCommand(sql, connection, transaction);
    }

    private static void Add<T>(NpgsqlCommand command, string name, NpgsqlDbType type, IEnumerable<T> values) =>
        command.Parameters.Add(new NpgsqlParameter<T[]>(name, NpgsqlDbType.Array | type) { TypedValue = [.. values] });

    /// <summary>True when <paramref name="context"/> runs on PostgreSQL (the fast path applies).</summary>
    public static bool Applies(DbContext context) => context?.Database.IsNpgsql() == true;
}
