using FogLens.CloudPortal.Data;
using FogLens.CloudPortal.Broker;
using FogLens.Compression;
using FogLens.Contracts;
using FogLens.Contracts.Messages;
using FogLens.Contracts.Serialization;
using FogLens.Federated;
using FogLens.Messaging.Inbound;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace FogLens.CloudPortal.Rounds;

/// <summary>A round could not be started or changed; the message says why.</summary>
public sealed class CoordinatorException(string message) : Exception(message);

/// <summary>
/// Runs federated rounds. A round selects online fogs with local data, publishes a retained
/// <see cref="RoundTask"/> and waits until every participant answered or the deadline passed. Each update
/// is checked on arrival (frame, base version, participant, the codec's decoder against the model's
/// tensors, finite values, norm) and its payload kept on disk, so a portal restart mid-round loses
/// nothing. The round then aggregates (sample-weighted FedAvg of the decoded sparse updates, norm
/// clipping), evaluates the result on the held-out set, registers it, promotes it by <see cref="PromotionPolicy"/>
/// (evaluated, no worse than the best model promoted so far, no operator pin), and records bits up and down.
/// The rules (which update belongs, accepted or late, when a round is due) live on <see cref="TrainingRound"/>;
/// payload files in <see cref="UpdatePayloadStore"/>; measuring models in <see cref="ModelEvaluation"/>. In synchronous mode late updates are
/// dropped; in asynchronous mode they go into the next round with weight (1 + staleness)^−a.
/// </summary>
public sealed partial class FederatedCoordinator(
    PortalDb db,
    ModelRegistry registry,
    ModelEvaluation evaluation,
    UpdatePayloadStore payloads,
    ICloudBus bus,
    MessageHeaderFactory headers,
    PublicAddress address,
    IOptions<PortalOptions> portal,
    IOptions<CoordinatorOptions> options,
    PortalCounters counters,
    PortalEvents events,
    TimeProvider time,
    ILogger<FederatedCoordinator> logger) : BackgroundService
{
    private readonly CoordinatorOptions _options = options.Value;
    private readonly MessageParser _parser = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, IReadOnlyList<TensorSpec>> _specs = new(StringComparer.Ordinal);

    /// <summary>Set once the registry holds a current model (and it was announced).</summary>
    public bool Ready { get; private set; }

    /// <summary>Starts a round with the configured settings; throws <see cref="CoordinatorException"/> when it cannot.</summary>
    public async Task<TrainingRound> StartRoundAsync(string startedBy, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var context = db.Create();
            if (await context.Rounds.AnyAsync(r => r.State == RoundState.Open, cancellationToken))
            {
                throw new CoordinatorException("a round is already open; wait for it to finish");
            }

            var current = await context.Models.AsNoTracking().FirstOrDefaultAsync(m => m.IsCurrent, cancellationToken)
                ?? throw new CoordinatorException("the registry has no current model yet");
            var since = time.GetUtcNow() - portal.Value.NodeTimeout;
            var candidates = await context.Nodes.AsNoTracking()
                .Where(n => n.Kind == "fog" && n.State == nameof(NodeState.Online) && n.LocalSamples > 0)
                .ToListAsync(cancellationToken);
            var online = candidates.Where(n => n.IsOnline(since)).Select(n => n.Id).Order(StringComparer.Ordinal).ToList();
            if (online.Count == 0)
            {
                throw new CoordinatorException("no fog with local training data is online");
            }

            var count = Math.Max(1, (int)Math.Ceiling(online.Count * _options.ParticipantFraction));
            var participants = online.OrderBy(_ => Random.Shared.Next()).Take(count).Order(StringComparer.Ordinal).ToList();
            var id = (await context.Rounds.MaxAsync(r => (long?)r.Id, cancellationToken) ?? 0) + 1;
            var now = time.GetUtcNow();
            var round = new TrainingRound
            {
                Id = id,
                State = RoundState.Open,
                Mode = _options.IsAsync ? RoundMode.Asynchronous : RoundMode.Synchronous,
                BaseVersion = current.Version,
                Codec = _options.Codec,
                Sparsity = _options.Sparsity,
                LocalEpochs = _options.LocalEpochs,
                MinQuorum = Math.Min(_options.MinQuorum, participants.Count),
                Participants = string.Join(',', participants),
                StartedAt = now,
                Deadline = now + _options.Deadline,
                StartedBy = startedBy,
                DownloadBytes = current.WeightsBytes * participants.Count,
            };
            context.Rounds.Add(round);
            await context.SaveChangesAsync(cancellationToken);
            await PublishTaskAsync(round, current, cancellationToken);
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
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var context = db.Create();
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
                problem = await CheckPayloadAsync(round!.BaseVersion, bytes, update);
            }

            var decision = problem is null ? round!.Judge(update.ReceivedAt) : new UpdateDecision(UpdateStatus.Rejected, problem);
            update.Status = decision.Status;
            update.Reason = decision.Reason;
            switch (decision.Status)
            {
                case UpdateStatus.Rejected:
                    if (round is not null)
                    {
                        round.Rejected++;
                    }

                    counters.UpdateRejected();
                    LogUpdateRejected(topic, problem!);
                    break;
                case UpdateStatus.Late:
                    round!.Late++;
                    round.UploadBytes += bytes.Length;
                    if (round.IsAsync)
                    {
                        update.PayloadPath = await payloads.SaveAsync(round.Id, fogId, bytes, cancellationToken);
                    }

                    counters.UpdateLate();
                    LogUpdateLate(round.Id, fogId, decision.Reason!);
                    break;
                default:
                    update.PayloadPath = await payloads.SaveAsync(round!.Id, fogId, bytes, cancellationToken);
                    round.Accepted++;
                    round.UploadBytes += bytes.Length;
                    counters.UpdateAccepted();
                    LogUpdateAccepted(round.Id, fogId, bytes.Length, update.Norm ?? 0, meta.SampleCount);
                    break;
            }

            context.Updates.Add(update);
            await context.SaveChangesAsync(cancellationToken);
            events.Raise(PortalChange.Rounds);
            return problem is null ? IngestOutcome.Stored : IngestOutcome.Rejected;
        }
        finally
        {
            _gate.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await registry.EnsureBaseAsync(stoppingToken);
        var announced = false;
        var lastAuto = time.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!announced && bus.IsConnected && await registry.CurrentAsync(stoppingToken) is { } current)
                {
                    announced = await registry.AnnounceAsync(current, stoppingToken);
                    await RepublishOpenTasksAsync(stoppingToken);
                    Ready = announced;
                }

                await CloseDueRoundsAsync(stoppingToken);
                if (_options.AutoRoundInterval > TimeSpan.Zero && time.GetUtcNow() - lastAuto >= _options.AutoRoundInterval)
                {
                    lastAuto = time.GetUtcNow();
                    try
                    {
                        await StartRoundAsync("auto", stoppingToken);
                    }
                    catch (CoordinatorException ex)
                    {
                        LogAutoRoundSkipped(ex.Message);
                    }
                }
            }
            catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException or IOException or System.Data.Common.DbException && !stoppingToken.IsCancellationRequested)
            {
                LogLoopError(ex.GetBaseException().Message);
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
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

    private async Task FinishRoundAsync(long roundId, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var context = db.Create();
            var round = await context.Rounds.FirstAsync(r => r.Id == roundId, cancellationToken);
            if (round.State != RoundState.Open)
            {
                return;
            }

            var global = await registry.LoadStateAsync(round.BaseVersion);
            var accumulator = new UpdateAccumulator(global, _options.Aggregation);
            var limits = Limits(global.Specs);
            var accepted = await context.Updates.Where(u => u.RoundId == round.Id && u.Status == UpdateStatus.Accepted).ToListAsync(cancellationToken);
            foreach (var u in accepted)
            {
                Apply(accumulator, u, 1, limits, global.Specs, round);
            }

            if (round.IsAsync)
            {
                var stale = await context.Updates.Where(u => u.Status == UpdateStatus.Late && u.PayloadPath != null && u.AppliedInRound == null && u.RoundId < round.Id).ToListAsync(cancellationToken);
                foreach (var u in stale)
                {
                    var weight = _options.Aggregation.StalenessWeight(round.Id - u.RoundId);
                    var specsMatch = weight > 0 && Apply(accumulator, u, weight, limits, global.Specs, round);
                    u.Status = specsMatch ? UpdateStatus.Applied : UpdateStatus.Rejected;
                    u.Reason = specsMatch ? $"applied in round {round.Id} with staleness weight {weight:F3}" : "too stale or no longer fits the model";
                    u.AppliedInRound = round.Id;
                    round.Stale += specsMatch ? 1 : 0;
                }
            }

            round.CompletedAt = time.GetUtcNow();
            round.DenseUploadBytes = (long)accumulator.Count * global.ElementCount * sizeof(float);
            if (accumulator.Count < round.MinQuorum)
            {
                round.State = RoundState.Failed;
                round.Outcome = $"quorum not reached: {accumulator.Count} of {round.MinQuorum} required updates by the deadline";
                await context.SaveChangesAsync(cancellationToken);
                LogRoundFailed(round.Id, round.Outcome);
            }
            else
            {
                var state = accumulator.Result();
                var result = await Task.Run(() => evaluation.Evaluate(state), cancellationToken);
                var version = $"fl-r{round.Id}";
                var record = await registry.RegisterAsync(version, state, round.BaseVersion, round.Id, round.Codec, result, cancellationToken);
                round.ResultVersion = version;
                round.Mae = result?.Mae;
                round.State = RoundState.Completed;
                var best = await BestPromotedAsync(cancellationToken);
                round.ReferenceVersion = best?.Version;
                round.ReferenceMae = best?.Mae;
                var pinned = (await registry.CurrentAsync(cancellationToken)) is { PinnedBy: { } by } current ? (current.Version, by) : ((string, string)?)null;
                var decision = PromotionPolicy.Decide(result?.Mae, best, _options.PromoteTolerance, pinned);
                round.Outcome = $"{accumulator.Count} updates aggregated ({accumulator.SampleCount} samples)"
                    + (result is null ? string.Empty : FormattableString.Invariant($"; MAE {result.Mae:F3}")) + "; " + decision.Reason;
                await context.SaveChangesAsync(cancellationToken);
                LogRoundCompleted(round.Id, version, accumulator.Count, result?.Mae, decision.Outcome);
                if (decision.Promote)
                {
                    await registry.PromoteAsync(record.Version, cancellationToken);
                }
            }

            // Clear the retained task so fogs connecting later do not see it.
            await bus.PublishAsync(Topics.RoundTask(round.Id), ReadOnlyMemory<byte>.Empty, retain: true, cancellationToken);
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

    private bool Apply(UpdateAccumulator accumulator, RoundUpdate u, double weight, DecodeLimits limits, IReadOnlyList<TensorSpec> specs, TrainingRound round)
    {
        try
        {
            var decoded = UpdateDecoder.Decode(payloads.Read(u.PayloadPath!), limits, specs);
            var verdict = accumulator.Add(decoded, u.SampleCount, weight);
            if (verdict.ClipScale < 1)
            {
                u.Reason = $"clipped ×{verdict.ClipScale:F3} (norm {verdict.Norm:F2})";
            }

            return true;
        }
        catch (Exception ex) when (ex is CorruptUpdateException or RejectedUpdateException or IOException)
        {
            u.Status = UpdateStatus.Rejected;
            u.Reason = ex.Message;
            round.Accepted--;
            round.Rejected++;
            LogUpdateRejected($"round {round.Id} update of {u.FogId}", ex.Message);
            return false;
        }
    }

    private async Task<string?> CheckPayloadAsync(string baseVersion, ReadOnlyMemory<byte> payload, RoundUpdate update)
    {
        if (!_specs.TryGetValue(baseVersion, out var specs))
        {
            var state = await registry.LoadStateAsync(baseVersion);
            specs = state.Specs;
            _specs[baseVersion] = specs;
        }

        try
        {
            var decoded = UpdateDecoder.Decode(payload.Span, Limits(specs), specs);
            var norm = decoded.Norm();
            update.Norm = double.IsFinite(norm) ? norm : null;
            return !double.IsFinite(norm) || norm > _options.RejectNorm
                ? $"update norm {norm:G4} exceeds Federated:RejectNorm {_options.RejectNorm}"
                : null;
        }
        catch (CorruptUpdateException ex)
        {
            return $"corrupt update ({ex.Reason}): {ex.Message}";
        }
    }

    private static DecodeLimits Limits(IReadOnlyList<TensorSpec> specs) => new() { MaxElements = specs.Sum(s => s.ElementCount), MaxPayloadBytes = 64 * 1024 * 1024 };

    private async Task PublishTaskAsync(TrainingRound round, ModelVersionRecord model, CancellationToken cancellationToken)
    {
        var task = new RoundTask(
            headers.Next(), round.Id, model.Version, model.WeightsSha256, address.ModelUri(model.Version, "weights"), round.ParticipantList,
            round.Codec, round.Sparsity, round.LocalEpochs, _options.BatchSize, _options.LearningRate, round.Deadline,
            round.Mode, _options.Trainable, _options.DenseMaxElements);
        await bus.PublishAsync(Topics.RoundTask(round.Id), JsonMessages.Serialize(task), retain: true, cancellationToken);
    }

    private async Task RepublishOpenTasksAsync(CancellationToken cancellationToken)
    {
        await using var context = db.Create();
        foreach (var round in await context.Rounds.AsNoTracking().Where(r => r.State == RoundState.Open).ToListAsync(cancellationToken))
        {
            var model = await context.Models.AsNoTracking().FirstAsync(m => m.Version == round.BaseVersion, cancellationToken);
            await PublishTaskAsync(round, model, cancellationToken);
            LogRoundResumed(round.Id);
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

    public override void Dispose()
    {
        _gate.Dispose();
        base.Dispose();
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

    [LoggerMessage(EventId = 4407, Level = LogLevel.Information, Message = "Round {RoundId} is still open after a restart; its task was published again")]
    private partial void LogRoundResumed(long roundId);

    [LoggerMessage(EventId = 4409, Level = LogLevel.Information, Message = "Automatic round skipped: {Reason}")]
    private partial void LogAutoRoundSkipped(string reason);

    [LoggerMessage(EventId = 4410, Level = LogLevel.Error, Message = "Coordinator loop error (retrying): {Error}")]
    private partial void LogLoopError(string error);
}
