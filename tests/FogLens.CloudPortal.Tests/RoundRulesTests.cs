using FogLens.CloudPortal.Data;
using FogLens.CloudPortal.Rounds;
using FogLens.Contracts.Messages;

namespace FogLens.CloudPortal.Tests;

/// <summary>The round's rules and the promotion policy, without a host, a database or a broker.</summary>
public sealed class RoundRulesTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    private static TrainingRound Round(RoundMode mode = RoundMode.Synchronous, int quorum = 2) => new()
    {
        Id = 7,
        State = RoundState.Open,
        Mode = mode,
        BaseVersion = "age-v1-cam",
        Codec = "sbc",
        Participants = "fog-a,fog-b,fog-c",
        MinQuorum = quorum,
        StartedAt = Start,
        Deadline = Start.AddMinutes(5),
    };

    [Fact]
    public void Mismatch_NamesTheFirstThingThatDoesNotBelong()
    {
        var round = Round();
        Assert.Null(round.Mismatch("fog-a", "age-v1-cam", "sbc"));
        Assert.Equal("fog-x was not selected for round 7", round.Mismatch("fog-x", "age-v1-cam", "sbc"));
        Assert.Equal("update was computed against fl-r6, round 7 starts from age-v1-cam", round.Mismatch("fog-a", "fl-r6", "sbc"));
        Assert.Equal("update uses codec dense, round 7 asked for sbc", round.Mismatch("fog-a", "age-v1-cam", "dense"));
    }

    [Theory]
    [InlineData(RoundMode.Synchronous, "late: dropped (synchronous round)")]
    [InlineData(RoundMode.Asynchronous, "late: kept for the next round (staleness-weighted)")]
    public void Judge_AcceptsUntilTheDeadline_ThenLateByMode(RoundMode mode, string lateReason)
    {
        var round = Round(mode);
        Assert.Equal(new UpdateDecision(UpdateStatus.Accepted, null), round.Judge(round.Deadline));
        Assert.Equal(new UpdateDecision(UpdateStatus.Late, lateReason), round.Judge(round.Deadline.AddTicks(1)));
        round.State = RoundState.Completed;
        Assert.Equal(UpdateStatus.Late, round.Judge(Start).Status); // a closed round takes nothing in
    }

    [Fact]
    public void IsDue_SynchronousWaitsForEveryParticipant_AsynchronousForTheQuorum_BothForTheDeadline()
    {
        var sync = Round(RoundMode.Synchronous, quorum: 2);
        Assert.False(sync.IsDue(2, Start.AddMinutes(1)));
        Assert.True(sync.IsDue(3, Start.AddMinutes(1)));
        Assert.True(sync.IsDue(0, sync.Deadline.AddSeconds(1)));

        var async = Round(RoundMode.Asynchronous, quorum: 2);
        Assert.False(async.IsDue(1, Start.AddMinutes(1)));
        Assert.True(async.IsDue(2, Start.AddMinutes(1)));

        async.State = RoundState.Completed;
        Assert.False(async.IsDue(3, async.Deadline.AddMinutes(1)));
    }

    [Fact]
    public void Promotion_ComparesWithTheBestPromoted_NotTheParent_ToleranceZeroByDefault()
    {
        var best = ("fl-r3", 4.50);
        Assert.True(PromotionPolicy.Decide(4.50, best, 0, null).Promote); // no worse
        Assert.True(PromotionPolicy.Decide(4.42, best, 0, null).Promote);
        var worse = PromotionPolicy.Decide(4.51, best, 0, null);
        Assert.Equal(PromotionOutcome.WorseThanBest, worse.Outcome);
        Assert.Equal("not promoted: worse than fl-r3 (4.500, tolerance 0)", worse.Reason);
        Assert.True(PromotionPolicy.Decide(4.70, best, 0.25, null).Promote); // an explicit tolerance allows a small loss
        Assert.True(PromotionPolicy.Decide(9.0, null, 0, null).Promote); // nothing evaluated to compare with yet
    }

    [Fact]
    public void Promotion_NeverPromotesAnUnevaluatedModel_AndAPinWins()
    {
        Assert.Equal(PromotionOutcome.NotEvaluated, PromotionPolicy.Decide(null, ("age-v1-cam", 4.6), 0, null).Outcome);
        Assert.Equal(PromotionOutcome.NotEvaluated, PromotionPolicy.Decide(double.NaN, null, 0, null).Outcome);
        var pinned = PromotionPolicy.Decide(3.0, ("age-v1-cam", 4.6), 0, ("age-v1-cam", "alice"));
        Assert.Equal(PromotionOutcome.Pinned, pinned.Outcome);
        Assert.Contains("pinned by alice", pinned.Reason, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => PromotionPolicy.Decide(4.0, null, -0.1, null));
    }

    [Fact]
    public void Count_AcceptedAndLateTravelled_RejectedOnlyCounted_AndDemoteMovesOneAcceptedToRejected()
    {
        var round = Round();
        round.Count(new UpdateDecision(UpdateStatus.Accepted, null), 100, 3000);
        round.Count(new UpdateDecision(UpdateStatus.Late, "late"), 50, 0);
        round.Count(new UpdateDecision(UpdateStatus.Rejected, "norm"), 70, 5000);
        Assert.Equal((1, 1, 1, 150L, 3000L), (round.Accepted, round.Late, round.Rejected, round.UploadBytes, round.DownloadBytes));
        Assert.Throws<ArgumentOutOfRangeException>(() => round.Count(new UpdateDecision(UpdateStatus.Applied, null), 1, 0));

        round.Demote();
        Assert.Equal((0, 2), (round.Accepted, round.Rejected));
        Assert.Throws<InvalidOperationException>(round.Demote);
    }

    [Fact]
    public void FailForQuorum_EndsTheRoundWithoutAModel_AndSaysWhy()
    {
        var round = Round(quorum: 2);
        round.FailForQuorum(1, Start.AddMinutes(5));
        Assert.Equal(RoundState.Failed, round.State);
        Assert.Equal(Start.AddMinutes(5), round.CompletedAt);
        Assert.Equal("quorum not reached: 1 of 2 required updates by the deadline", round.Outcome);
        Assert.Null(round.ResultVersion);
    }

    [Fact]
    public void Planner_ChoosesTheFractionRoundedUp_AtLeastOne_InIdOrder_AndRefusesAnEmptySite()
    {
        var online = new[] { "fog-3", "fog-1", "fog-2", "fog-4", "fog-5" };
        var chosen = RoundPlanner.ChooseParticipants(online, 0.5, new Random(7));
        Assert.Equal(3, chosen.Count);
        Assert.Equal(chosen.Order(StringComparer.Ordinal), chosen);
        Assert.All(chosen, id => Assert.Contains(id, online));
        Assert.Single(RoundPlanner.ChooseParticipants(online, 0.01, new Random(7)));
        Assert.Equal(online.Order(StringComparer.Ordinal), RoundPlanner.ChooseParticipants(online, 1, new Random(7)));
        Assert.Throws<CoordinatorException>(() => RoundPlanner.ChooseParticipants([], 1, new Random(7)));

        var model = new ModelVersionRecord { Version = "age-v1-cam", Source = "base", WeightsBytes = 1000, OnnxSha256 = "a", WeightsSha256 = "b" };
        var options = new CoordinatorOptions { MinQuorum = 5, Mode = "async" };
        var round = RoundPlanner.Open(4, model, chosen, options, Start, "alice");
        Assert.Equal((RoundState.Open, RoundMode.Asynchronous, "age-v1-cam", 3, 3000L), (round.State, round.Mode, round.BaseVersion, round.MinQuorum, round.FullDownloadBytes));
        Assert.Equal(Start + options.Deadline, round.Deadline);
        Assert.Equal(chosen, round.ParticipantList);
    }

    [Fact]
    public void PrivacyBudget_CountsNoisedRoundsThatReleasedOrMayReleaseAModel_AndRefusesTheOneThatWouldOverspend()
    {
        // One round at z = 1 spends ε = 5.30 (δ = 1e-5), two spend 7.79: a budget of 6 allows exactly one.
        var options = new CoordinatorOptions { NoiseMultiplier = 1, PrivacyBudget = 6 };
        Assert.Null(RoundPlanner.OverBudget([], options));
        var refusal = RoundPlanner.OverBudget([1.0], options);
        Assert.Contains("1 noised rounds have used ε = 5.30", refusal, StringComparison.Ordinal);
        Assert.Contains("would make ε = 7.79", refusal, StringComparison.Ordinal);
        Assert.Null(RoundPlanner.OverBudget([1.0, 1.0, 1.0], new CoordinatorOptions())); // no noise configured: no budget to enforce

        var noised = RoundPlanner.Open(8, new ModelVersionRecord { Version = "age-v1-cam", Source = "base", CreatedAt = Start, WeightsSha256 = "", OnnxSha256 = "" }, ["fog-a"], options, Start, "test");
        Assert.Equal(1, noised.NoiseMultiplier);
        var completedPlain = Round();
        (completedPlain.Id, completedPlain.State) = (1, RoundState.Completed);
        var failedNoised = Round();
        (failedNoised.Id, failedNoised.State, failedNoised.NoiseMultiplier) = (2, RoundState.Failed, 1);
        var completedNoised = Round();
        (completedNoised.Id, completedNoised.State, completedNoised.NoiseMultiplier) = (3, RoundState.Completed, 1);
        var status = PrivacyStatus.From([completedPlain, failedNoised, completedNoised, noised], options);
        Assert.Equal((true, 2, 1), (status.Enabled, status.NoisedRounds, status.UncoveredRounds));
        Assert.Equal(5.30, status.EpsilonAfter[3], 0.01);
        Assert.Equal(7.79, status.EpsilonAfter[8], 0.01);
        Assert.False(status.EpsilonAfter.ContainsKey(2)); // a failed round released nothing
    }
}
