using Microsoft.EntityFrameworkCore;

namespace FogLens.CloudPortal.Data;

/// <summary>
/// Fills the roll-ups from the stored windows once, when a database from before the roll-ups is first opened (they are
/// empty while windows exist). Runs at start before ingest, in one transaction; on PostgreSQL under an advisory lock,
/// so of several replicas starting together one fills them and the others find them filled.
/// </summary>
public static class RollupBackfill
{
    /// <summary>Advisory lock id of the backfill ("FLRollup" in ASCII).</summary>
    public const long LockKey = 0x464C526F6C6C7570;

    private const int Chunk = 5000;

    /// <summary>Tallies every stored window into empty roll-ups; returns the number of windows (0: nothing to do).</summary>
    public static async Task<long> RunAsync(PortalDb db, int minFaces, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        await using var context = db.Create();
        await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken);
        if (context.Database.IsNpgsql())
        {
            await context.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({LockKey})", cancellationToken);
        }

        if (await context.Rollups.AnyAsync(cancellationToken) || !await context.Demographics.AnyAsync(cancellationToken))
        {
            return 0;
        }

        var tally = new DemographicsRollups(minFaces);
        long lastId = 0, windows = 0;
        while (true)
        {
            var chunk = await context.Demographics.AsNoTracking().Where(w => w.Id > lastId).OrderBy(w => w.Id).Take(Chunk)
                .Include(w => w.Groups).AsSplitQuery().ToListAsync(cancellationToken);
            if (chunk.Count == 0)
            {
                break;
            }

            chunk.ForEach(tally.Add);
            await tally.ApplyAsync(context, cancellationToken);
            lastId = chunk[^1].Id;
            windows += chunk.Count;
        }

        await transaction.CommitAsync(cancellationToken);
        return windows;
    }
}
