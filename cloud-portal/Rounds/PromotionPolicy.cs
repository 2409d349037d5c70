namespace FogLens.CloudPortal.Rounds;

/// <summary>Why a round's model was or was not made current.</summary>
public enum PromotionOutcome
{
    /// <summary>Evaluated, and no worse than the best model promoted so far (within the tolerance).</summary>
    Promoted,

    /// <summary>No evaluation set is configured: a model nobody measured is never promoted automatically.</summary>
    NotEvaluated,

    /// <summary>Worse than the best model promoted so far beyond the tolerance.</summary>
    WorseThanBest,

    /// <summary>An operator pinned the current model; automatic promotion waits until they release it.</summary>
    Pinned,
}

/// <summary>The decision on a round's model and the sentence the Training page shows for it.</summary>
public sealed record PromotionDecision(PromotionOutcome Outcome, string Reason)
{
    public bool Promote => Outcome == PromotionOutcome.Promoted;
}

/// <summary>
/// When a round's model becomes current, without I/O. Every model is compared on the same evaluation set
/// with the best model ever promoted (not with its parent: losses within a tolerance would add up round after
/// round), the tolerance is 0 by default, an unevaluated model is never promoted, and an operator's manual
/// choice (promotion or roll-back) stays until they release it.
/// </summary>
public static class PromotionPolicy
{
    /// <param name="candidateMae">The round model's MAE on the evaluation set, or null when there is none.</param>
    /// <param name="best">The best promoted model and its MAE on the same set (null when none was evaluated yet).</param>
    /// <param name="tolerance">Years the candidate may be worse than the best (Federated:PromoteTolerance, default 0).</param>
    /// <param name="pinned">The pinned current version and who pinned it, if any.</param>
    public static PromotionDecision Decide(double? candidateMae, (string Version, double Mae)? best, double tolerance, (string Version, string By)? pinned)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tolerance);
        if (pinned is { } pin)
        {
            return new(PromotionOutcome.Pinned, $"not promoted: {pin.Version} is pinned by {pin.By} (release the pin to resume automatic promotion)");
        }

        if (candidateMae is not { } mae || !double.IsFinite(mae))
        {
            return new(PromotionOutcome.NotEvaluated, "not promoted: not evaluated (Federated:EvaluationData is not set); promote it by hand after checking it");
        }

        if (best is not { } reference)
        {
            return new(PromotionOutcome.Promoted, "promoted (no evaluated model to compare with)");
        }

        return mae <= reference.Mae + tolerance
            ? new(PromotionOutcome.Promoted, FormattableString.Invariant($"promoted (best so far: {reference.Version} {reference.Mae:F3})"))
            : new(PromotionOutcome.WorseThanBest, FormattableString.Invariant($"not promoted: worse than {reference.Version} ({reference.Mae:F3}, tolerance {tolerance})"));
    }
}
