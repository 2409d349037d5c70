namespace FogLens.CloudPortal.Data;

/// <summary>The result of checking the contribution ledger's chain.</summary>
/// <param name="Entries">Rows checked.</param>
/// <param name="Head">Hash of the last row (64 zeros when empty): write it down elsewhere to detect a rewritten tail later.</param>
/// <param name="BrokenAt">Sequence of the first row that fails, or null when the chain holds.</param>
/// <param name="Problem">What is wrong with that row.</param>
public sealed record LedgerVerification(long Entries, string Head, long? BrokenAt, string? Problem)
{
    public bool IsIntact => BrokenAt is null;
}
