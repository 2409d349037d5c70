using System.Text;
using Microsoft.EntityFrameworkCore;

namespace FogLens.CloudPortal.Data;

/// <summary>
/// Sums of demographics windows by hour and by UTC day (<see cref="DemographicsRollup"/>), added to in the transaction
/// that inserts the windows. A window is tallied only once its row is staged for insert, and the insert and the
/// roll-up update commit or roll back together, so the unique message id that refuses a redelivered window also keeps
/// it out of the roll-ups. Keys are upserted in one order, camera rows first and the site's last (no deadlock between
/// two replicas' batches on PostgreSQL, and the rows every batch touches are held for the shortest time).
/// </summary>
public sealed class DemographicsRollups
{
    /// <summary>Rows per upsert statement (9 parameters each, far under both providers' limits).</summary>
    private const int RowsPerStatement = 400;

    private const int Columns = 9;

    private readonly int _minFaces;
    private readonly SortedDictionary<RollupKey, Sums> _sums = [];

    /// <param name="minFaces">Portal:MinFacesShown: age groups are tallied only for windows with at least this many faces.</param>
    public DemographicsRollups(int minFaces) => _minFaces = minFaces;

    /// <summary>Distinct roll-up rows this tally touches.</summary>
    public int Count => _sums.Count;

    /// <summary>Start of the hour or UTC day holding <paramref name="time"/>.</summary>
    public static DateTimeOffset BucketOf(DateTimeOffset time, RollupPeriod period)
    {
        var ticks = period == RollupPeriod.Hour ? TimeSpan.TicksPerHour : TimeSpan.TicksPerDay;
        return new DateTimeOffset(time.UtcTicks / ticks * ticks, TimeSpan.Zero);
    }

    /// <summary>
    /// Saves <paramref name="context"/>'s changes and adds the windows it inserts to the roll-ups, in one transaction:
    /// when the insert fails (a redelivered window's message id), nothing is counted.
    /// </summary>
    public static async Task SaveWindowsAsync(PortalDbContext context, int minFaces, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var rollups = new DemographicsRollups(minFaces);
        foreach (var entry in context.ChangeTracker.Entries<DemographicsWindow>().Where(e => e.State == EntityState.Added))
        {
            rollups.Add(entry.Entity);
        }

        await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken);
        await context.SaveChangesAsync(cancellationToken);
        await rollups.ApplyAsync(context, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Adds one window (with its groups) to both periods, per camera, per fog and for the site.</summary>
    public void Add(DemographicsWindow window)
    {
        ArgumentNullException.ThrowIfNull(window);
        foreach (var period in (ReadOnlySpan<RollupPeriod>)[RollupPeriod.Hour, RollupPeriod.Day])
        {
            var bucket = BucketOf(window.WindowStart, period);
            AddLevel(new RollupKey(period, bucket, window.FogId, window.CameraId, DemographicsRollup.AllFaces), window);
            AddLevel(new RollupKey(period, bucket, window.FogId, DemographicsRollup.Site, DemographicsRollup.AllFaces), window);
            AddLevel(new RollupKey(period, bucket, DemographicsRollup.Site, DemographicsRollup.Site, DemographicsRollup.AllFaces), window);
        }
    }

    /// <summary>Adds the tally to the stored roll-ups in <paramref name="context"/>'s current transaction (if any) and clears it.</summary>
    public async Task ApplyAsync(PortalDbContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (PostgresWindowStore.Applies(context))
        {
            await PostgresWindowStore.UpsertRollupsAsync(context, Drain(), cancellationToken);
            return;
        }

        var bucketMapping = context.Model.FindEntityType(typeof(DemographicsRollup))!.FindProperty(nameof(DemographicsRollup.BucketStart))!.GetTypeMapping().Converter;
        var rows = _sums.ToList();
        for (var offset = 0; offset < rows.Count; offset += RowsPerStatement)
        {
            var chunk = rows.GetRange(offset, Math.Min(RowsPerStatement, rows.Count - offset));
            var sql = new StringBuilder("INSERT INTO \"DemographicsRollups\" (\"Period\", \"BucketStart\", \"FogId\", \"CameraId\", \"Label\", \"MinAge\", \"Faces\", \"ShownFaces\", \"Windows\") VALUES ");
            var parameters = new object[chunk.Count * Columns];
            for (var i = 0; i < chunk.Count; i++)
            {
                var (key, sums) = chunk[i];
                var p = i * Columns;
                sql.Append(i == 0 ? "(" : ", (");
                for (var j = 0; j < Columns; j++)
                {
                    sql.Append(j == 0 ? "{" : ", {").Append(p + j).Append('}');
                }

                sql.Append(')');
                parameters[p] = (int)key.Period;
                parameters[p + 1] = bucketMapping?.ConvertToProvider(key.BucketStart) ?? key.BucketStart;
                parameters[p + 2] = key.FogId;
                parameters[p + 3] = key.CameraId;
                parameters[p + 4] = key.Label;
                parameters[p + 5] = sums.MinAge;
                parameters[p + 6] = sums.Faces;
                parameters[p + 7] = sums.ShownFaces;
                parameters[p + 8] = sums.Windows;
            }

            sql.Append(" ON CONFLICT (\"Period\", \"FogId\", \"CameraId\", \"BucketStart\", \"Label\") DO UPDATE SET ")
                .Append("\"Faces\" = \"DemographicsRollups\".\"Faces\" + excluded.\"Faces\", ")
                .Append("\"ShownFaces\" = \"DemographicsRollups\".\"ShownFaces\" + excluded.\"ShownFaces\", ")
                .Append("\"Windows\" = \"DemographicsRollups\".\"Windows\" + excluded.\"Windows\", \"MinAge\" = excluded.\"MinAge\"");
            await context.Database.ExecuteSqlRawAsync(sql.ToString(), parameters, cancellationToken);
        }

        _sums.Clear();
    }

    /// <summary>The tally as entities (for a bulk load that inserts them itself); clears it.</summary>
    public IReadOnlyList<DemographicsRollup> Drain()
    {
        var rows = _sums.Select(kv => new DemographicsRollup
        {
            Period = kv.Key.Period, BucketStart = kv.Key.BucketStart, FogId = kv.Key.FogId, CameraId = kv.Key.CameraId,
            Label = kv.Key.Label, MinAge = kv.Value.MinAge, Faces = kv.Value.Faces, ShownFaces = kv.Value.ShownFaces, Windows = kv.Value.Windows,
        }).ToList();
        _sums.Clear();
        return rows;
    }

    private void AddLevel(RollupKey total, DemographicsWindow window)
    {
        var shown = window.Faces >= _minFaces;
        Bump(total, 0, window.Faces, shown ? window.Faces : 0);
        if (!shown)
        {
            return; // never shown: only its faces count, in the total
        }

        foreach (var g in window.Groups)
        {
            Bump(total with { Label = g.Label }, g.MinAge, g.Count, 0);
        }
    }

    private void Bump(RollupKey key, int minAge, long faces, long shownFaces)
    {
        var sums = _sums.GetValueOrDefault(key);
        _sums[key] = new Sums(minAge, sums.Faces + faces, sums.ShownFaces + shownFaces, sums.Windows + 1);
    }

    private readonly record struct Sums(int MinAge, long Faces, long ShownFaces, long Windows);

    private readonly record struct RollupKey(RollupPeriod Period, DateTimeOffset BucketStart, string FogId, string CameraId, string Label) : IComparable<RollupKey>
    {
        /// <summary>Camera rows first, then fog rows, then the site's, which every batch adds to (locked last, held shortest).</summary>
        private int Level => FogId.Length == 0 ? 2 : CameraId.Length == 0 ? 1 : 0;

        public int CompareTo(RollupKey other)
        {
            var c = Level.CompareTo(other.Level);
            c = c != 0 ? c : Period.CompareTo(other.Period);
            c = c != 0 ? c : string.CompareOrdinal(FogId, other.FogId);
            c = c != 0 ? c : string.CompareOrdinal(CameraId, other.CameraId);
            c = c != 0 ? c : BucketStart.UtcTicks.CompareTo(other.BucketStart.UtcTicks);
            return c != 0 ? c : string.CompareOrdinal(Label, other.Label);
        }
    }
}
