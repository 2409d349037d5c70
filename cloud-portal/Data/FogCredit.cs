namespace FogLens.CloudPortal.Data;

/// <summary>A fog's cumulative contribution credit.</summary>
/// <param name="FogId">The fog.</param>
/// <param name="Rounds">Rounds it has credit entries in.</param>
/// <param name="Credit">Its total credit.</param>
/// <param name="Share">Its share of all credit, 0–1.</param>
/// <param name="LastRound">The last round it contributed to.</param>
/// <param name="LastCredit">Its credit in that round.</param>
public sealed record FogCredit(string FogId, int Rounds, double Credit, double Share, long LastRound, double LastCredit);
