namespace FogLens.CloudPortal.Data;

/// <summary>
/// One row of the append-only contribution ledger: what one fog contributed to one round, chained to the row before
/// it by <see cref="PreviousHash"/> (see <see cref="ContributionLedger"/>). Rows are only ever inserted; the database
/// refuses updates and deletes (triggers), and <c>ledger verify</c> detects an edit made around them.
/// </summary>
public sealed class ContributionEntry
{
    /// <summary>1, 2, 3, … without gaps: the chain's order.</summary>
    public long Sequence { get; set; }

    public long RoundId { get; set; }

    public required string FogId { get; set; }

    /// <summary>Accepted samples × staleness weight.</summary>
    public double Weight { get; set; }

    /// <summary>Cosine with the round's other updates (leave-one-out).</summary>
    public double Alignment { get; set; }

    /// <summary>Alignment relative to the round's median alignment, in [0, 1].</summary>
    public double Agreement { get; set; }

    /// <summary>1, or less for an update much longer than the round's median.</summary>
    public double NormFactor { get; set; }

    public double Credit { get; set; }

    /// <summary>When the row was appended, Unix milliseconds (an integer, so every database returns it exactly as hashed).</summary>
    public long RecordedAtUnixMs { get; set; }

    /// <summary>Hash of the previous row (64 zeros for the first).</summary>
    public required string PreviousHash { get; set; }

    /// <summary>Lower-case hex SHA-256 of this row's fields and <see cref="PreviousHash"/>.</summary>
    public required string Hash { get; set; }
}
