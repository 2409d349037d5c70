using FogLens.CloudPortal.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Npgsql;
using NpgsqlTypes;

namespace FogLens.Benchmarks;

/// <summary>
/// Synthetic demographics for the data benchmark: <c>cameras</c> cameras (10 per fog), one window per camera and
/// minute ending now, 0-12 faces in 8 age groups (all groups sent, as fogs do), and the roll-ups those windows make
/// (<see cref="DemographicsRollups"/>, the code ingest uses), bulk-loaded a UTC day at a time: binary COPY on
/// PostgreSQL, prepared inserts in one transaction per day on SQLite, with the secondary indexes dropped during the load
/// and created again after it (the time includes that).
/// </summary>
internal sealed class DataLoader(int cameras, long windows, int minFaces)
{
    private static readonly (string Label, int MinAge)[] Groups = [("0-9", 0), ("10-19", 10), ("20-29", 20), ("30-39", 30), ("40-49", 40), ("50-59", 50), ("60-69", 60), ("70+", 70)];
    private static readonly double[] Weights = [0.05, 0.12, 0.22, 0.2, 0.16, 0.12, 0.08, 0.05];

    public static string Fog(int camera) => $"fog-{camera / 10:00}";

    public static string Camera(int camera) => $"cam-{camera:000}";

    /// <summary>Site of the fogs: the first half of them at one, the rest at another.</summary>
    public static string Site(int camera) => camera / 10 < 5 ? "site-a" : "site-b";

    /// <summary>A status record per fog naming its site (<see cref="Site"/>), as fogs' status messages leave them; kept when present.</summary>
    public async Task AddFogsAsync(PortalDb db)
    {
        await using var context = db.Create();
        var known = await context.Nodes.Select(n => n.Id).ToListAsync();
        for (var c = 0; c < cameras; c += 10)
        {
            if (!known.Contains(Fog(c)))
            {
                context.Nodes.Add(new NodeRecord { Id = Fog(c), Kind = "fog", State = "Offline", Site = Site(c), LastSeen = End });
            }
        }

        await context.SaveChangesAsync();
    }

    public long Minutes => (windows + cameras - 1) / cameras;

    public int Cameras => cameras;

    public DateTimeOffset End { get; } = DemographicsPlan.Floor(DateTimeOffset.UtcNow, RollupPeriod.Hour).AddMinutes(DateTimeOffset.UtcNow.Minute);

    /// <summary>Windows (with their groups and Id) of one UTC day of the range, in time order.</summary>
    public IEnumerable<List<DemographicsWindow>> Days()
    {
        var rng = new Random(20);
        var start = End.AddMinutes(-Minutes);
        long id = 0, groupId = 0;
        var day = new List<DemographicsWindow>();
        for (var m = 0L; m < Minutes; m++)
        {
            var t = start.AddMinutes(m);
            if (day.Count > 0 && DemographicsRollups.BucketOf(t, RollupPeriod.Day) != DemographicsRollups.BucketOf(day[0].WindowStart, RollupPeriod.Day))
            {
                yield return day;
                day = [];
            }

            for (var c = 0; c < cameras && id < windows; c++)
            {
                var counts = new int[Groups.Length];
                var faces = rng.Next(0, 13);
                for (var f = 0; f < faces; f++)
                {
                    var u = rng.NextDouble();
                    var g = 0;
                    while (g < Groups.Length - 1 && (u -= Weights[g]) > 0)
                    {
                        g++;
                    }

                    counts[g]++;
                }

                day.Add(new DemographicsWindow
                {
                    Id = ++id, MessageId = Guid.NewGuid(), FogId = Fog(c), EdgeId = "edge-" + c.ToString("000", System.Globalization.CultureInfo.InvariantCulture),
                    CameraId = Camera(c), WindowStart = t, WindowEnd = t.AddMinutes(1), Faces = faces, MeanAge = faces > 0 ? 35 : null,
                    ModelVersion = "age-v1", ReceivedAt = t.AddMinutes(1).AddSeconds(2),
                    Groups = [.. Groups.Select((g, i) => new AgeGroupTally { Id = ++groupId, WindowId = id, Label = g.Label, MinAge = g.MinAge, Count = counts[i] })],
                });
            }
        }

        if (day.Count > 0)
        {
            yield return day;
        }
    }

    public async Task LoadPostgresAsync(string connectionString, Action<long> progress, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        var indexes = await Indexes(connection, "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('Demographics', 'AgeGroups', 'DemographicsRollups') AND indexname NOT LIKE 'PK_%'", cancellationToken);
        await Execute(connection, string.Concat(indexes.Select(i => $"DROP INDEX \"{i.Name}\";")), cancellationToken);
        var rollups = new DemographicsRollups(minFaces);
        long loaded = 0;
        foreach (var day in Days())
        {
            day.ForEach(rollups.Add);
            await using (var copy = await connection.BeginBinaryImportAsync("COPY \"Demographics\" (\"Id\", \"MessageId\", \"FogId\", \"EdgeId\", \"CameraId\", \"WindowStart\", \"WindowEnd\", \"Faces\", \"MeanAge\", \"ModelVersion\", \"ReceivedAt\") FROM STDIN (FORMAT BINARY)", cancellationToken))
            {
                foreach (var w in day)
                {
                    copy.StartRow();
                    copy.Write(w.Id, NpgsqlDbType.Bigint);
                    copy.Write(w.MessageId, NpgsqlDbType.Uuid);
                    copy.Write(w.FogId, NpgsqlDbType.Varchar);
                    copy.Write(w.EdgeId, NpgsqlDbType.Varchar);
                    copy.Write(w.CameraId, NpgsqlDbType.Varchar);
                    copy.Write(w.WindowStart, NpgsqlDbType.TimestampTz);
                    copy.Write(w.WindowEnd, NpgsqlDbType.TimestampTz);
                    copy.Write(w.Faces, NpgsqlDbType.Integer);
                    copy.Write(w.MeanAge, NpgsqlDbType.Double);
                    copy.Write(w.ModelVersion, NpgsqlDbType.Varchar);
                    copy.Write(w.ReceivedAt, NpgsqlDbType.TimestampTz);
                }

                await copy.CompleteAsync(cancellationToken);
            }

            await using (var copy = await connection.BeginBinaryImportAsync("COPY \"AgeGroups\" (\"Id\", \"WindowId\", \"Label\", \"MinAge\", \"Count\") FROM STDIN (FORMAT BINARY)", cancellationToken))
            {
                foreach (var g in day.SelectMany(w => w.Groups))
                {
                    copy.WriteRow(g.Id, g.WindowId, g.Label, g.MinAge, g.Count);
                }

                await copy.CompleteAsync(cancellationToken);
            }

            await CopyRollupsAsync(connection, rollups.Drain(), cancellationToken);
            progress(loaded += day.Count);
        }

        await Execute(connection, "SET maintenance_work_mem = '512MB';" + string.Concat(indexes.Select(i => i.Definition + ";")), cancellationToken);
        await Execute(connection,
            "SELECT setval(pg_get_serial_sequence('\"Demographics\"', 'Id'), (SELECT max(\"Id\") FROM \"Demographics\")); " +
            "SELECT setval(pg_get_serial_sequence('\"AgeGroups\"', 'Id'), (SELECT max(\"Id\") FROM \"AgeGroups\"));", cancellationToken);
        await Execute(connection, "VACUUM ANALYZE", cancellationToken); // statistics, and the visibility map for index-only scans
    }

    public async Task LoadSqliteAsync(string connectionString, Action<long> progress, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await Execute(connection, "PRAGMA synchronous=OFF; PRAGMA cache_size=-200000;", cancellationToken);
        var indexes = await Indexes(connection, "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('Demographics', 'AgeGroups', 'DemographicsRollups') AND sql IS NOT NULL", cancellationToken);
        await Execute(connection, string.Concat(indexes.Select(i => $"DROP INDEX \"{i.Name}\";")), cancellationToken);
        var time = new DateTimeOffsetToBinaryConverter();
        object Ticks(DateTimeOffset t) => time.ConvertToProvider(t)!;
        var windowsInsert = Prepared(connection, "Demographics", ["Id", "MessageId", "FogId", "EdgeId", "CameraId", "WindowStart", "WindowEnd", "Faces", "MeanAge", "ModelVersion", "ReceivedAt"]);
        var groupsInsert = Prepared(connection, "AgeGroups", ["Id", "WindowId", "Label", "MinAge", "Count"]);
        var rollupsInsert = Prepared(connection, "DemographicsRollups", ["Period", "BucketStart", "FogId", "CameraId", "Label", "MinAge", "Faces", "ShownFaces", "Windows"]);
        var rollups = new DemographicsRollups(minFaces);
        long loaded = 0;
        foreach (var day in Days())
        {
            day.ForEach(rollups.Add);
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            windowsInsert.Transaction = groupsInsert.Transaction = rollupsInsert.Transaction = transaction;
            foreach (var w in day)
            {
                await Insert(windowsInsert, cancellationToken, w.Id, w.MessageId.ToString().ToUpperInvariant(), w.FogId, w.EdgeId, w.CameraId, Ticks(w.WindowStart), Ticks(w.WindowEnd), w.Faces, w.MeanAge, w.ModelVersion, Ticks(w.ReceivedAt));
                foreach (var g in w.Groups)
                {
                    await Insert(groupsInsert, cancellationToken, g.Id, g.WindowId, g.Label, g.MinAge, g.Count);
                }
            }

            foreach (var r in rollups.Drain())
            {
                await Insert(rollupsInsert, cancellationToken, (int)r.Period, Ticks(r.BucketStart), r.FogId, r.CameraId, r.Label, r.MinAge, r.Faces, r.ShownFaces, r.Windows);
            }

            await transaction.CommitAsync(cancellationToken);
            progress(loaded += day.Count);
        }

        await Execute(connection, string.Concat(indexes.Select(i => i.Definition + ";")) + "ANALYZE;", cancellationToken);
    }

    /// <summary>Secondary indexes (name, definition): dropped for the load and created again after it, as bulk loads do.</summary>
    private static async Task<List<(string Name, string Definition)>> Indexes(System.Data.Common.DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var indexes = new List<(string, string)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            indexes.Add((reader.GetString(0), reader.GetString(1)));
        }

        return indexes;
    }

    private static async Task CopyRollupsAsync(NpgsqlConnection connection, IReadOnlyList<DemographicsRollup> rows, CancellationToken cancellationToken)
    {
        await using var copy = await connection.BeginBinaryImportAsync("COPY \"DemographicsRollups\" (\"Period\", \"BucketStart\", \"FogId\", \"CameraId\", \"Label\", \"MinAge\", \"Faces\", \"ShownFaces\", \"Windows\") FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var r in rows)
        {
            copy.StartRow();
            copy.Write((int)r.Period, NpgsqlDbType.Integer);
            copy.Write(r.BucketStart, NpgsqlDbType.TimestampTz);
            copy.Write(r.FogId, NpgsqlDbType.Varchar);
            copy.Write(r.CameraId, NpgsqlDbType.Varchar);
            copy.Write(r.Label, NpgsqlDbType.Varchar);
            copy.Write(r.MinAge, NpgsqlDbType.Integer);
            copy.Write(r.Faces, NpgsqlDbType.Bigint);
            copy.Write(r.ShownFaces, NpgsqlDbType.Bigint);
            copy.Write(r.Windows, NpgsqlDbType.Bigint);
        }

        await copy.CompleteAsync(cancellationToken);
    }

    private static SqliteCommand Prepared(SqliteConnection connection, string table, string[] columns)
    {
        var command = connection.CreateCommand();
        command.CommandText = $"INSERT INTO \"{table}\" ({string.Join(", ", columns.Select(c => $"\"{c}\""))}) VALUES ({string.Join(", ", columns.Select((_, i) => "$p" + i))})";
        for (var i = 0; i < columns.Length; i++)
        {
            command.Parameters.Add(new SqliteParameter("$p" + i, null));
        }

        return command;
    }

    private static async Task Insert(SqliteCommand command, CancellationToken cancellationToken, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task Execute(System.Data.Common.DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
