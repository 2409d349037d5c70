using FogLens.CloudPortal.Data;
using FogLens.Contracts;
using FogLens.Contracts.Messages;
using FogLens.Contracts.Serialization;
using FogLens.Messaging;
using FogLens.Messaging.Inbound;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using FogLens.CloudPortal.Common;

namespace FogLens.CloudPortal.Rounds;

/// <summary>A round could not be started or changed; the message says why.</summary>
public sealed class CoordinatorException(string message) : Exception(message);

/// <summary>
/// Orchestrates federated rounds; the parts it calls hold the work. A round selects online fogs with local data
/// (<see cref="RoundPlanner"/>), publishes a retained task (<see cref="RoundTaskPublisher"/>) and waits until every
/// participant answered or the deadline passed (<see cref="RoundScheduler"/> calls <see cref="CloseDueRoundsAsync"/>).
/// Each update is checked on arrival (frame, base version, participant, then <see cref="UpdateInspector"/>: the codec's
/// decoder against the model's tensors, finite values, norm) and its payload kept on disk
/// (<see cref="UpdatePayloadStore"/>), so a portal restart mid-round loses nothing. The round then aggregates
/// (<see cref="RoundAggregator"/>), evaluates the result on the held-out set (<see cref="ModelEvaluation"/>), registers
/// it and promotes it by <see cref="PromotionPolicy"/> (evaluated, no worse than the best model promoted so far, no
/// operator pin). The rules (which update belongs, accepted or late, when a round is due, its accounting) live on
/// <see cref="TrainingRound"/>.
/// </summary>
public sealed partial class FederatedCoordinator(
    PortalDb db,
    ModelRegistry registry,
    ModelEvaluation evaluation,
    UpdateInspector inspector,
    UpdatePayloadStore payloads,
    RoundAggregator aggregator,
    RoundTaskPublisher tasks,
    IOptions<PortalOptions> portal,
    IOptions<CoordinatorOptions> options,
    PortalCounters counters,
    PortalEvents events,
    TimeProvider time,
    ILogger<FederatedCoordinator> logger) : IDisposable
{
    private readonly CoordinatorOptions _options = options.Value;
    private readonly MessageParser _parser = new();
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Starts a round with the configured settings; throws <see cref="CoordinatorException"/> when it cannot.</summary>
    public async Task<TrainingRound> StartRoundAsync(string startedBy, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var context = db.Create();
            await using var exclusive = await PortalDb.LockRoundsAsync(context, cancellationToken); // replicas: one round change at a time
            if (await context.Rounds.AnyAsync(r => r.State == RoundState.Open, cancellationToken))
            {
                throw new CoordinatorException("a round is already open; wait for it to finish");
            }

            var noised = _options.NoiseMultiplier > 0
                ? await context.Rounds.AsNoTracking().Where(r => r.NoiseMultiplier != null && r.State != RoundState.Failed).Select(r => r.NoiseMultiplier!.Value).ToListAsync(cancellationToken)
                : [];
            if (RoundPlanner.OverBudget(noised, _options) is { } spent)
            {
                throw new CoordinatorException(spent);
            }

            var current = await context.Models.AsNoTracking().FirstOrDefaultAsync(m => m.IsCurrent, cancellationToken)
                ?? throw new CoordinatorException("the registry has no current model yet");
            var since = time.GetUtcNow() - portal.Value.NodeTimeout;
            var candidates = await context.Nodes.AsNoTracking()
                .Where(n => n.Kind == "fog" && n.State == nameof(NodeState.Online) && n.LocalSamples > 0)
                .ToListAsync(cancellationToken);
            var participants = RoundPlanner.ChooseParticipants([.. candidates.Where(n => n.IsOnline(since)).Select(n => n.Id)], _options.ParticipantFraction, Random.Shared);
            var id = (await context.Rounds.MaxAsync(r => (long?)r.Id, cancellationToken) ?? 0) + 1;
            var round = RoundPlanner.Open(id, current, participants, _options, time.GetUtcNow(), startedBy);
            context.Rounds.Add(round);
            await context.SaveChangesAsync(cancellationToken);
            await (exclusive?.CommitAsync(cancellationToken) ?? Task.CompletedTask);
            await tasks.PublishAsync(round, current, cancellationToken);
            LogRoundStarted(id, current.Version, participants.Count, round.Deadline);
            events.Raise(PortalChange.Rounds);
            return round;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Checks and stores one update (topic <c>fl/round/{id}/update/{fog}</c>).</summary>
    public async Task<IngestOutcome> HandleUpdateAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var parsed = _parser.ParseModelUpdate(topic, payload);
        if (!parsed.IsSuccess)
        {
            counters.UpdateRejected();
            LogUpdateRejected(topic, parsed.Error!.ToString());
            return IngestOutcome.Rejected;
        }

        _ = Topics.TryParse(topic, out var info);
        var fogId = info.NodeId!;
        var meta = parsed.Value!.Metadata;
        var bytes = parsed.Value.Payload;
        using var activity = PortalTelemetry.Source.StartConsumer("round update", meta.Header);
        activity?.SetTag("foglens.round", meta.RoundId);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var context = db.Create();
            await using var exclusive = await PortalDb.LockRoundsAsync(context, cancellationToken);
            if (await context.Updates.AnyAsync(u => u.MessageId == meta.Header.MessageId || (u.RoundId == meta.RoundId && u.FogId == fogId), cancellationToken))
            {
                counters.Duplicate();
                return IngestOutcome.Duplicate;
            }

            var round = await context.Rounds.FirstOrDefaultAsync(r => r.Id == meta.RoundId, cancellationToken);
            var update = new RoundUpdate
            {
                RoundId = meta.RoundId,
                FogId = fogId,
                MessageId = meta.Header.MessageId,
                ReceivedAt = time.GetUtcNow(),
                PayloadBytes = bytes.Length,
                SampleCount = meta.SampleCount,
                TrainLoss = meta.TrainLoss,
                LocalMae = meta.LocalValidationMae,
            };
            var problem = round is null ? $"round {meta.RoundId} does not exist" : round.Mismatch(fogId, meta.BaseModelVersion, meta.Codec);
            if (problem is null)
            {
                (problem, update.Norm) = await inspector.InspectAsync(round!.BaseVersion, bytes);
            }

            var decision = problem is null ? round!.Judge(update.ReceivedAt) : new UpdateDecision(UpdateStatus.Rejected, problem);
            (update.Status, update.Reason) = decision;
            round?.Count(decision, bytes.Length, meta.DownloadBytes ?? round.FullDownloadBytes / Math.Max(1, round.ParticipantList.Count));
            if (decision.Status == UpdateStatus.Accepted || (decision.Status == UpdateStatus.Late && round!.IsAsync))
            {
                update.PayloadPath = await payloads.SaveAsync(round!.Id, fogId, bytes, cancellationToken);
            }

            Report(topic, fogId, update, decision, meta.SampleCount);
            context.Updates.Add(update);
            await context.SaveChangesAsync(cancellationToken);
            await (exclusive?.CommitAsync(cancellationToken) ?? Task.CompletedTask);
            events.Raise(PortalChange.Rounds);
            return problem is null ? IngestOutcome.Stored : IngestOutcome.Rejected;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Closes open rounds whose participants all answered or whose deadline passed (also after a restart).</summary>
    public async Task CloseDueRoundsAsync(CancellationToken cancellationToken)
    {
        await using var context = db.Create();
        var open = await context.Rounds.AsNoTracking().Where(r => r.State == RoundState.Open).ToListAsync(cancellationToken);
        foreach (var round in open)
        {
            var answered = await context.Updates.CountAsync(u => u.RoundId == round.Id && (u.Status == UpdateStatus.Accepted || u.Status == UpdateStatus.Rejected), cancellationToken);
            if (round.IsDue(answered, time.GetUtcNow()))
            {
                await FinishRoundAsync(round.Id, cancellationToken);
            }
        }
    }

    /// <summary>Publishes again the tasks of rounds still open (after a restart or a broker reconnect).</summary>
    public async Task RepublishOpenTasksAsync(CancellationToken cancellationToken)
    {
        await using var context = db.Create();
        foreach (var round in await context.Rounds.AsNoTracking().Where(r => r.State == RoundState.Open).ToListAsync(cancellationToken))
        {
            var model = await context.Models.AsNoTracking().FirstAsync(m => m.Version == round.BaseVersion, cancellationToken);
            await tasks.PublishAsync(round, model, cancellationToken);
            LogRoundResumed(round.Id);
        }
    }

    public void Dispose() => _gate.Dispose();

    private async Task FinishRoundAsync(long roundId, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var context = db.Create();
            await using var exclusive = await PortalDb.LockRoundsAsync(context, cancellationToken);
            var round = await context.Rounds.FirstAsync(r => r.Id == roundId, cancellationToken);
            if (round.State != RoundState.Open)
            {
                return;
            }

            using var activity = PortalTelemetry.Source.StartActivity("round aggregate");
            activity?.SetTag("foglens.round", round.Id);
            var accepted = await context.Updates.Where(u => u.RoundId == round.Id && u.Status == UpdateStatus.Accepted).ToListAsync(cancellationToken);
            var late = round.IsAsync
                ? await context.Updates.Where(u => u.Status == UpdateStatus.Late && u.PayloadPath != null && u.AppliedInRound == null && u.RoundId < round.Id).ToListAsync(cancellationToken)
                : [];
            var registered = await context.Nodes.AsNoTracking().Where(n => n.Kind == "fog").ToDictionaryAsync(n => n.Id, n => n.LocalSamples, cancellationToken);
            var aggregate = await aggregator.AggregateAsync(round, accepted, late, registered);
            var sum = aggregate.Accumulator;
            if (sum.Count < round.MinQuorum)
            {
                round.FailForQuorum(sum.Count, time.GetUtcNow());
                await context.SaveChangesAsync(cancellationToken);
                LogRoundFailed(round.Id, round.Outcome!);
            }
            else
            {
                var version = $"fl-r{round.Id}";
                var state = aggregator.Step(aggregate, round, version);
                var result = await Task.Run(() => evaluation.Evaluate(state), cancellationToken);
                var record = await registry.RegisterAsync(version, state, round.BaseVersion, round.Id, round.Codec, result, cancellationToken);
                var best = await BestPromotedAsync(cancellationToken);
                var pinned = (await registry.CurrentAsync(cancellationToken)) is { PinnedBy: { } by } current ? (current.Version, by) : ((string, string)?)null;
                var decision = PromotionPolicy.Decide(result?.Mae, best, _options.PromoteTolerance, pinned);
                (round.State, round.CompletedAt, round.ResultVersion, round.Mae) = (RoundState.Completed, time.GetUtcNow(), version, result?.Mae);
                (round.ReferenceVersion, round.ReferenceMae) = (best?.Version, best?.Mae);
                var credits = await ContributionLedger.AppendAsync(context, round.Id, aggregate.Contributions, time.GetUtcNow(), cancellationToken);
                round.Outcome = $"{sum.Count} updates aggregated ({sum.SampleCount} samples)"
                    + (result is null ? string.Empty : FormattableString.Invariant($"; MAE {result.Mae:F3}")) + "; " + decision.Reason;
                await context.SaveChangesAsync(cancellationToken);
                LogRoundCompleted(round.Id, version, sum.Count, result?.Mae, decision.Outcome);
                if (credits.Count > 0)
                {
                    LogLedgerHead(round.Id, credits.Count, credits[^1].Sequence, credits[^1].Hash);
                }

                if (decision.Promote)
                {
                    await registry.PromoteAsync(record.Version, cancellationToken);
                }
            }

            await (exclusive?.CommitAsync(cancellationToken) ?? Task.CompletedTask);
            await tasks.ClearAsync(round.Id, cancellationToken);
            foreach (var u in accepted.Where(u => u.PayloadPath is not null))
            {
                payloads.Delete(u.PayloadPath!);
            }

            events.Raise(PortalChange.Rounds);
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Report(string topic, string fogId, RoundUpdate update, UpdateDecision decision, int samples)
    {
        switch (decision.Status)
        {
            case UpdateStatus.Rejected:
                counters.UpdateRejected();
                LogUpdateRejected(topic, decision.Reason!);
                break;
            case UpdateStatus.Late:
                counters.UpdateLate();
                LogUpdateLate(update.RoundId, fogId, decision.Reason!);
                break;
            default:
                counters.UpdateAccepted();
                LogUpdateAccepted(update.RoundId, fogId, update.PayloadBytes, update.Norm ?? 0, samples);
                break;
        }
    }

    /// <summary>The best evaluated model among those that were ever current (each measured on the evaluation set once).</summary>
    private async Task<(string Version, double Mae)?> BestPromotedAsync(CancellationToken cancellationToken)
    {
        (string Version, double Mae)? best = null;
        foreach (var model in await registry.PromotedAsync(cancellationToken))
        {
            if (await evaluation.MaeOfAsync(model, cancellationToken) is { } mae && (best is null || mae < best.Value.Mae))
            {
                best = (model.Version, mae);
            }
        }

        return best;
    }

    [LoggerMessage(EventId = 4401, Level = LogLevel.Information, Message = "Round {RoundId} started from {Version} with {Participants} fogs, deadline {Deadline:O}")]
    private partial void LogRoundStarted(long roundId, string version, int participants, DateTimeOffset deadline);

    [LoggerMessage(EventId = 4402, Level = LogLevel.Information, Message = "Round {RoundId}: accepted update of {FogId} ({Bytes} bytes, norm {Norm:F3}, {Samples} samples)")]
    private partial void LogUpdateAccepted(long roundId, string fogId, int bytes, double norm, int samples);

    [LoggerMessage(EventId = 4403, Level = LogLevel.Warning, Message = "Rejected update {Source}: {Reason}")]
    private partial void LogUpdateRejected(string source, string reason);

    [LoggerMessage(EventId = 4404, Level = LogLevel.Warning, Message = "Round {RoundId}: update of {FogId} is {Reason}")]
    private partial void LogUpdateLate(long roundId, string fogId, string reason);

    [LoggerMessage(EventId = 4405, Level = LogLevel.Information, Message = "Round {RoundId} completed: version {Version} from {Updates} updates, MAE {Mae}, {Promotion}")]
    private partial void LogRoundCompleted(long roundId, string version, int updates, double? mae, PromotionOutcome promotion);

    [LoggerMessage(EventId = 4406, Level = LogLevel.Warning, Message = "Round {RoundId} failed: {Reason}")]
    private partial void LogRoundFailed(long roundId, string reason);

    [LoggerMessage(EventId = 4420, Level = LogLevel.Information, Message = "Round {RoundId}: {Entries} contribution-ledger entries appended; ledger head #{Sequence} {Hash}")]
    private partial void LogLedgerHead(long roundId, int entries, long sequence, string hash);

    [LoggerMessage(EventId = 4407, Level = LogLevel.Information, Message = "Round {RoundId} is still open after a restart; its task was published again")]
    private partial void LogRoundResumed(long roundId);
}
