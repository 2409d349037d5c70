using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using FogLens.Federated;
using Microsoft.EntityFrameworkCore;

namespace FogLens.CloudPortal.Data;

/// <summary>
/// The append-only, hash-chained contribution ledger. Each row's hash is SHA-256 over a fixed text form of its fields
/// and the previous row's hash, so changing, inserting or removing any row breaks every hash after it; the database
/// refuses UPDATE and DELETE on the table (triggers) and <see cref="VerifyAsync"/> finds an edit made by someone who
/// dropped them. Appending happens in the coordinator's transaction that completes the round (one writer: the round
/// leader; the sequence is the primary key, so a second writer's append fails instead of forking the chain).
/// What it cannot detect on its own: the whole tail rewritten consistently by someone with write access to the
/// database — compare the <see cref="LedgerVerification.Head"/> with a copy kept elsewhere (it is logged per round).
/// </summary>
public static class ContributionLedger
{
    /// <summary>The previous hash of the first row.</summary>
    public static readonly string Genesis = new('0', 64);

    /// <summary>The row's hash: SHA-256 of its canonical text (fields in a fixed order, doubles round-trip formatted).</summary>
    public static string ComputeHash(ContributionEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var text = string.Join(
            '\n',
            "foglens-ledger-v1",
            entry.Sequence.ToString(CultureInfo.InvariantCulture),
            entry.RoundId.ToString(CultureInfo.InvariantCulture),
            entry.FogId,
            entry.Weight.ToString("R", CultureInfo.InvariantCulture),
            entry.Alignment.ToString("R", CultureInfo.InvariantCulture),
            entry.Agreement.ToString("R", CultureInfo.InvariantCulture),
            entry.NormFactor.ToString("R", CultureInfo.InvariantCulture),
            entry.Credit.ToString("R", CultureInfo.InvariantCulture),
            entry.RecordedAtUnixMs.ToString(CultureInfo.InvariantCulture),
            entry.PreviousHash);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>Adds the round's rows to <paramref name="context"/> (saved with the caller's next SaveChanges); returns them.</summary>
    public static async Task<IReadOnlyList<ContributionEntry>> AppendAsync(PortalDbContext context, long roundId, IEnumerable<ContributionScore> scores, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(scores);
        var last = await context.Ledger.AsNoTracking().OrderByDescending(e => e.Sequence).Select(e => new { e.Sequence, e.Hash }).FirstOrDefaultAsync(cancellationToken);
        var (sequence, previous) = last is null ? (0L, Genesis) : (last.Sequence, last.Hash);
        var rows = new List<ContributionEntry>();
        foreach (var s in scores.GroupBy(s => s.Contributor, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            // A fog with an on-time and a late update in one round gets one row: weights and credit add up, the
            // cosines are weight-averaged.
            var weight = s.Sum(x => x.Weight);
            var entry = new ContributionEntry
            {
                Sequence = ++sequence,
                RoundId = roundId,
                FogId = s.Key,
                Weight = weight,
                Alignment = weight > 0 ? s.Sum(x => x.Alignment * x.Weight) / weight : s.First().Alignment,
                Agreement = weight > 0 ? s.Sum(x => x.Agreement * x.Weight) / weight : s.First().Agreement,
                NormFactor = s.Min(x => x.NormFactor),
                Credit = s.Sum(x => x.Credit),
                RecordedAtUnixMs = at.ToUnixTimeMilliseconds(),
                PreviousHash = previous,
                Hash = string.Empty,
            };
            entry.Hash = ComputeHash(entry);
            previous = entry.Hash;
            rows.Add(entry);
        }

        context.Ledger.AddRange(rows);
        return rows;
    }

    /// <summary>Walks the chain from the first row: sequence without gaps, each row linked to the previous hash and hashing to its stored hash.</summary>
    public static async Task<LedgerVerification> VerifyAsync(PortalDbContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        long expected = 0;
        var previous = Genesis;
        await foreach (var e in context.Ledger.AsNoTracking().OrderBy(e => e.Sequence).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            expected++;
            var problem = e.Sequence != expected ? $"sequence {e.Sequence} where {expected} was expected (a row was removed or inserted)"
                : e.PreviousHash != previous ? "its previous-hash does not match the row before it (a row before it was replaced)"
                : ComputeHash(e) != e.Hash ? "its contents do not match its hash (the row was edited)"
                : null;
            if (problem is not null)
            {
                return new LedgerVerification(expected - 1, previous, e.Sequence, problem);
            }

            previous = e.Hash;
        }

        return new LedgerVerification(expected, previous, null, null);
    }

    /// <summary>Cumulative credit per fog, largest first.</summary>
    public static async Task<IReadOnlyList<FogCredit>> CreditByFogAsync(PortalDbContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var rows = await context.Ledger.AsNoTracking().Select(e => new { e.FogId, e.RoundId, e.Credit }).ToListAsync(cancellationToken);
        var total = rows.Sum(r => r.Credit);
        return [.. rows.GroupBy(r => r.FogId, StringComparer.Ordinal).Select(g =>
            {
                var last = g.MaxBy(r => r.RoundId)!;
                var credit = g.Sum(r => r.Credit);
                return new FogCredit(g.Key, g.Select(r => r.RoundId).Distinct().Count(), credit, total > 0 ? credit / total : 0, last.RoundId, last.Credit);
            })
            .OrderByDescending(c => c.Credit).ThenBy(c => c.FogId, NaturalStringComparer.Instance)];
    }

    /// <summary>The rows of the last <paramref name="rounds"/> rounds with entries, newest round first.</summary>
    public static async Task<IReadOnlyList<ContributionEntry>> RecentAsync(PortalDbContext context, int rounds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var ids = await context.Ledger.AsNoTracking().Select(e => e.RoundId).Distinct().OrderByDescending(r => r).Take(rounds).ToListAsync(cancellationToken);
        return await context.Ledger.AsNoTracking().Where(e => ids.Contains(e.RoundId)).OrderByDescending(e => e.RoundId).ThenBy(e => e.Sequence).ToListAsync(cancellationToken);
    }
}
