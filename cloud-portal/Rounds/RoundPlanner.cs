using FogLens.Federated;
using FogLens.CloudPortal.Data;
using FogLens.Contracts.Messages;

namespace FogLens.CloudPortal.Rounds;

/// <summary>How a new round is put together: who takes part and with which settings. No I/O.</summary>
public static class RoundPlanner
{
    /// <summary>
    /// Picks <c>⌈fraction × online⌉</c> (at least one) of the online fogs with local data at random, returned in id
    /// order; throws <see cref="CoordinatorException"/> when there is none.
    /// </summary>
    public static IReadOnlyList<string> ChooseParticipants(IReadOnlyCollection<string> online, double fraction, Random random)
    {
        ArgumentNullException.ThrowIfNull(online);
        ArgumentNullException.ThrowIfNull(random);
        if (online.Count == 0)
        {
            throw new CoordinatorException("no fog with local training data is online");
        }

        var count = Math.Max(1, (int)Math.Ceiling(online.Count * fraction));
        return [.. online.Order(StringComparer.Ordinal).OrderBy(_ => random.Next()).Take(count).Order(StringComparer.Ordinal)];
    }

    /// <summary>A new open round <paramref name="id"/> from the current model with the configured settings.</summary>
    public static TrainingRound Open(long id, ModelVersionRecord current, IReadOnlyList<string> participants, CoordinatorOptions options, DateTimeOffset now, string startedBy)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(participants);
        ArgumentNullException.ThrowIfNull(options);
        return new TrainingRound
        {
            Id = id,
            State = RoundState.Open,
            Mode = options.IsAsync ? RoundMode.Asynchronous : RoundMode.Synchronous,
            BaseVersion = current.Version,
            Codec = options.Codec,
            Sparsity = options.Sparsity,
            LocalEpochs = options.LocalEpochs,
            MinQuorum = Math.Min(options.MinQuorum, participants.Count),
            Participants = string.Join(',', participants),
            StartedAt = now,
            Deadline = now + options.Deadline,
            StartedBy = startedBy,
            FullDownloadBytes = current.WeightsBytes * participants.Count,
            NoiseMultiplier = options.NoiseMultiplier > 0 ? options.NoiseMultiplier : null,
        };
    }

    /// <summary>
    /// Why one more round at the configured noise would spend more than the privacy budget, or null. Rounds that released
    /// a model with noise (completed) or may still do so (open) count; failed rounds released nothing.
    /// </summary>
    public static string? OverBudget(IEnumerable<double> noisedRounds, CoordinatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(noisedRounds);
        ArgumentNullException.ThrowIfNull(options);
        if (options.NoiseMultiplier <= 0)
        {
            return null;
        }

        var spent = noisedRounds.ToList();
        var now = PrivacyAccountant.Epsilon(spent, options.PrivacyDelta);
        var next = PrivacyAccountant.Epsilon([.. spent, options.NoiseMultiplier], options.PrivacyDelta);
        return next <= options.PrivacyBudget ? null : FormattableString.Invariant(
            $"the privacy budget is spent: {spent.Count} noised rounds have used ε = {now:F2} (δ = {options.PrivacyDelta:G2}); one more at noise multiplier {options.NoiseMultiplier:G3} would make ε = {next:F2}, over Federated:PrivacyBudget = {options.PrivacyBudget:G3}");
    }
}
