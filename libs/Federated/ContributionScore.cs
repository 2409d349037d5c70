namespace FogLens.Federated;

/// <summary>What one update contributed to a round (see <see cref="ContributionScorer"/>).</summary>
/// <param name="Contributor">Who sent the update (the fog's id).</param>
/// <param name="Weight">The weight the round gave it: accepted sample count × staleness weight.</param>
/// <param name="Alignment">Cosine between the update and the weighted sum of the round's other updates, in [−1, 1].</param>
/// <param name="Agreement">Alignment relative to the round's median alignment, clamped to [0, 1].</param>
/// <param name="NormFactor">1 for an update no longer than twice the round's median norm, else (2·median / norm)².</param>
/// <param name="Credit">Weight × agreement × norm factor.</param>
public sealed record ContributionScore(string Contributor, double Weight, double Alignment, double Agreement, double NormFactor, double Credit);
