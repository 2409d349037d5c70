using FogLens.CloudPortal.Data;
using FogLens.Federated;

namespace FogLens.CloudPortal.Rounds;

/// <summary>
/// The differential-privacy account the Training page shows: ε spent by the rounds that released (or may release) a
/// noised model, after each of them, and how many completed rounds ran without noise (not covered by the guarantee).
/// </summary>
/// <param name="Enabled">Whether new rounds add noise (<see cref="CoordinatorOptions.NoiseMultiplier"/> above 0).</param>
/// <param name="NoiseMultiplier">The configured noise multiplier z.</param>
/// <param name="ClipNorm">The clip norm S (the sensitivity).</param>
/// <param name="Delta">δ.</param>
/// <param name="Budget">The ε past which rounds are refused.</param>
/// <param name="Spent">ε of the noised rounds so far.</param>
/// <param name="NoisedRounds">Rounds that count.</param>
/// <param name="UncoveredRounds">Completed rounds without noise.</param>
/// <param name="EpsilonAfter">Cumulative ε after each noised round, by round id.</param>
public sealed record PrivacyStatus(bool Enabled, double NoiseMultiplier, double ClipNorm, double Delta, double Budget, double Spent, int NoisedRounds, int UncoveredRounds, IReadOnlyDictionary<long, double> EpsilonAfter)
{
    public static PrivacyStatus From(IEnumerable<TrainingRound> rounds, CoordinatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(rounds);
        ArgumentNullException.ThrowIfNull(options);
        var ordered = rounds.Where(r => r.State != RoundState.Failed).OrderBy(r => r.Id).ToList();
        var noised = ordered.Where(r => r.NoiseMultiplier is > 0).ToList();
        var epsilons = PrivacyAccountant.Cumulative(noised.Select(r => r.NoiseMultiplier!.Value), options.PrivacyDelta);
        var after = noised.Select((r, i) => (r.Id, Epsilon: epsilons[i])).ToDictionary(x => x.Id, x => x.Epsilon);
        var uncovered = ordered.Count(r => r.State == RoundState.Completed && r.NoiseMultiplier is null);
        return new PrivacyStatus(options.NoiseMultiplier > 0, options.NoiseMultiplier, options.ClipNorm, options.PrivacyDelta, options.PrivacyBudget, epsilons.Count > 0 ? epsilons[^1] : 0, noised.Count, uncovered, after);
    }
}
