using System.Threading.Channels;
using FogLens.CloudPortal.Common;
using FogLens.CloudPortal.Data;
using FogLens.Contracts.Messages;
using FogLens.Messaging.Inbound;
using Microsoft.EntityFrameworkCore;

namespace FogLens.CloudPortal.Broker;

/// <summary>
/// Stores demographics windows in batches. Handlers running at the same time (one per publishing fog on the embedded
/// broker, one per ingest session on an external one) hand over their checked window and wait; one writer takes what
/// is queued, up to <see cref="MaxBatch"/>, and stores it in one transaction with one lookup of the edges involved, so
/// each handler — and so each broker acknowledgement — still waits for its own window's commit and nothing
/// acknowledged can be lost. Every handler gets its own outcome: stored, duplicate, refused, or an exception (retried).
/// On PostgreSQL a redelivered message is told apart row by row (<see cref="PostgresWindowStore"/>); on SQLite a batch
/// that hits the unique message id is stored again one window at a time. The hourly
/// and daily roll-ups are added to in the same transaction (<see cref="DemographicsRollups"/>), so a redelivered window
/// counts nowhere twice.
/// Measured: docs/benchmarks.md (portal ingest).
/// </summary>
public sealed partial class WindowBatcher(
    PortalDb db, IngestRefusals refusals, PortalCounters counters, PortalEvents events, Microsoft.Extensions.Options.IOptions<PortalOptions> options, ILogger<WindowBatcher> logger) : BackgroundService
{
    private readonly int _minFaces = options.Value.MinFacesShown;

    /// <summary>The most windows one transaction stores.</summary>
    public const int MaxBatch = 256;

    /// <summary>How far an edge's last-seen time may lag its newest window (its fog's status refreshes it too).</summary>
    public static readonly TimeSpan EdgeSeenStep = TimeSpan.FromSeconds(10);

    private readonly Channel<Pending> _live = Channel.CreateBounded<Pending>(new BoundedChannelOptions(4 * MaxBatch) { SingleReader = true });
    private readonly Channel<Pending> _late = Channel.CreateBounded<Pending>(new BoundedChannelOptions(4 * MaxBatch) { SingleReader = true });

    /// <summary>Wakes the writer: set after each queued window, at most one pending (an auto-reset event).</summary>
    private readonly Channel<bool> _queued = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>
    /// Queues a checked window and waits until it is stored (or refused, or its batch failed). A batch takes the live
    /// lane's windows first and fills up with late ones (an outage's backlog), so the windows closing now are not
    /// queued behind a backlog.
    /// </summary>
    public async Task<IngestOutcome> StoreAsync(string topic, string fogId, FogDemographics window, DateTimeOffset receivedAt, CancellationToken cancellationToken, WindowLane lane = WindowLane.Live)
    {
        var pending = new Pending(topic, fogId, window, receivedAt, new TaskCompletionSource<IngestOutcome>(TaskCreationOptions.RunContinuationsAsynchronously));
        await (lane == WindowLane.Late ? _late : _live).Writer.WriteAsync(pending, cancellationToken);
        _queued.Writer.TryWrite(true);
        return await pending.Done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// One writer per replica. Two writers were measured on PostgreSQL (docs/benchmarks.md): they drained an outage
    /// backlog a little faster but stored less at 2,000 windows/s, where every batch adds to the same camera roll-up rows
    /// and one writer waits for the other's commit. Batches of several replicas take their row locks in one global order
    /// (windows by message id, roll-ups camera rows first and the site's last, edges last by id), so they never deadlock.
    /// </summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>(MaxBatch);
        while (!stoppingToken.IsCancellationRequested)
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _live.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }

            while (batch.Count < MaxBatch && _late.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }

            if (batch.Count == 0)
            {
                await _queued.Reader.ReadAsync(stoppingToken);
                continue;
            }

            try
            {
                await StoreBatchAsync(batch, stoppingToken);
            }
            catch (DbUpdateException ex) when (PortalDb.IsDuplicate(ex))
            {
                foreach (var p in batch)
                {
                    await StoreOneByOneAsync(p, stoppingToken);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogBatchFailed(batch.Count, ex.Message);
                batch.ForEach(p => p.Done.TrySetException(ex));
                continue;
            }

            events.Raise(PortalChange.Demographics);
        }
    }

    private async Task StoreBatchAsync(List<Pending> batch, CancellationToken cancellationToken)
    {
        await using var context = db.Create();
        var ids = batch.Select(p => p.Window.EdgeId).Distinct().ToList();
        var edges = await context.Nodes.Where(n => ids.Contains(n.Id)).ToDictionaryAsync(n => n.Id, cancellationToken);
        var outcomes = new (IngestOutcome Outcome, string? Refusal)[batch.Count];
        var staged = new DemographicsWindow?[batch.Count];
        var seen = new HashSet<Guid>();
        for (var i = 0; i < batch.Count; i++)
        {
            (outcomes[i], staged[i]) = Stage(context, edges, batch[i], seen);
        }

        var inserted = await SaveAsync(context, [.. staged.OfType<DemographicsWindow>()], cancellationToken);
        for (var i = 0; i < batch.Count; i++)
        {
            if (staged[i] is { } window && !inserted.Contains(window.MessageId))
            {
                outcomes[i] = (IngestOutcome.Duplicate, null); // stored before (a redelivery; PostgreSQL tells row by row)
            }

            batch[i].Done.TrySetResult(Count(outcomes[i], batch[i]));
        }
    }

    /// <summary>
    /// Stores the staged windows, the context's edge changes and the roll-ups in one transaction; returns the message
    /// ids inserted. On PostgreSQL a window stored before is skipped (<see cref="PostgresWindowStore"/>); on SQLite it
    /// fails the batch with a unique-constraint error, and the batch is stored again one window at a time.
    /// </summary>
    private async Task<HashSet<Guid>> SaveAsync(PortalDbContext context, List<DemographicsWindow> windows, CancellationToken cancellationToken)
    {
        if (!PostgresWindowStore.Applies(context))
        {
            context.Demographics.AddRange(windows);
            await DemographicsRollups.SaveWindowsAsync(context, _minFaces, cancellationToken);
            return [.. windows.Select(w => w.MessageId)];
        }

        await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken);
        var inserted = await PostgresWindowStore.InsertAsync(context, windows, cancellationToken);
        var rollups = new DemographicsRollups(_minFaces);
        foreach (var window in windows.Where(w => inserted.Contains(w.MessageId)))
        {
            rollups.Add(window);
        }

        await rollups.ApplyAsync(context, cancellationToken);
        await context.SaveChangesAsync(cancellationToken); // the edges, last (EF Core orders the rows by key)
        await transaction.CommitAsync(cancellationToken);
        return inserted;
    }

    private async Task StoreOneByOneAsync(Pending p, CancellationToken cancellationToken)
    {
        try
        {
            await using var context = db.Create();
            var edge = await context.Nodes.FindAsync([p.Window.EdgeId], cancellationToken);
            var edges = edge is null ? [] : new Dictionary<string, NodeRecord> { [edge.Id] = edge };
            var (outcome, window) = Stage(context, edges, p, []);
            try
            {
                if (window is not null)
                {
                    context.Demographics.Add(window);
                }

                await DemographicsRollups.SaveWindowsAsync(context, _minFaces, cancellationToken);
            }
            catch (DbUpdateException ex) when (PortalDb.IsDuplicate(ex))
            {
                if (!await IsKnownMessageAsync(p.Window.Header.MessageId, cancellationToken))
                {
                    throw; // another constraint (e.g. two edges racing to be created): the handler retries
                }

                outcome = (IngestOutcome.Duplicate, null);
            }

            p.Done.TrySetResult(Count(outcome, p));
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            p.Done.TrySetException(ex); // another constraint (e.g. two edges racing to be created): the handler retries
        }
    }

    /// <summary>
    /// Makes the window's row (and creates or refreshes its edge in the context), or says why not. An edge's last-seen
    /// time moves in steps of <see cref="EdgeSeenStep"/>, so a batch does not rewrite every edge row it touches.
    /// </summary>
    private static ((IngestOutcome Outcome, string? Refusal), DemographicsWindow?) Stage(PortalDbContext context, Dictionary<string, NodeRecord> edges, Pending p, HashSet<Guid> seen)
    {
        var m = p.Window;
        edges.TryGetValue(m.EdgeId, out var edge);
        if (edge is { Kind: "edge" } && !IngestRules.MayReportFor(p.FogId, edge.FogId))
        {
            return ((IngestOutcome.Rejected, $"edge {m.EdgeId} is bound to fog {edge.FogId}"), null);
        }

        if (!seen.Add(m.Header.MessageId))
        {
            return ((IngestOutcome.Duplicate, null), null); // the same message twice in one batch (two sessions got a redelivery)
        }

        var window = new DemographicsWindow
        {
            MessageId = m.Header.MessageId,
            FogId = p.FogId,
            EdgeId = m.EdgeId,
            CameraId = m.CameraId,
            WindowStart = m.WindowStart.ToUniversalTime(),
            WindowEnd = m.WindowEnd.ToUniversalTime(),
            Faces = m.Faces,
            MeanAge = m.MeanAge,
            ModelVersion = m.ModelVersion,
            ReceivedAt = p.ReceivedAt,
            Groups = [.. m.AgeGroups.Select(g => new AgeGroupTally { Label = g.Label, MinAge = g.MinAge, Count = g.Count })],
        };
        if (edge is null)
        {
            edge = new NodeRecord { Id = m.EdgeId, Kind = "edge", FogId = p.FogId, State = nameof(NodeState.Online), LastSeen = p.ReceivedAt, ModelVersion = m.ModelVersion };
            context.Nodes.Add(edge);
            edges[edge.Id] = edge;
        }
        else if (edge.Kind == "edge")
        {
            edge.FogId = p.FogId;
            edge.State = nameof(NodeState.Online);
            if (p.ReceivedAt - edge.LastSeen >= EdgeSeenStep)
            {
                edge.LastSeen = p.ReceivedAt;
            }
        }

        return ((IngestOutcome.Stored, null), window);
    }

    /// <summary>Counts and logs a committed outcome; returns it.</summary>
    private IngestOutcome Count((IngestOutcome Outcome, string? Refusal) result, Pending p)
    {
        switch (result.Outcome)
        {
            case IngestOutcome.Stored:
                counters.WindowStored();
                return IngestOutcome.Stored;
            case IngestOutcome.Duplicate:
                counters.Duplicate();
                LogDuplicate(p.Window.Header.MessageId, p.FogId);
                return IngestOutcome.Duplicate;
            default:
                return refusals.Reject(p.Topic, IngestRefusal.ForeignEdge, result.Refusal!);
        }
    }

    private async Task<bool> IsKnownMessageAsync(Guid messageId, CancellationToken cancellationToken)
    {
        await using var context = db.Create();
        return await context.Demographics.AnyAsync(w => w.MessageId == messageId, cancellationToken);
    }

    private sealed record Pending(string Topic, string FogId, FogDemographics Window, DateTimeOffset ReceivedAt, TaskCompletionSource<IngestOutcome> Done);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Debug, Message = "Duplicate demographics message {MessageId} from {FogId} (redelivery), counted once")]
    private partial void LogDuplicate(Guid messageId, string fogId);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning, Message = "A batch of {Count} demographics windows could not be stored ({Reason}); each is retried by its sender")]
    private partial void LogBatchFailed(int count, string reason);
}

/// <summary>Which lane of the window store a window queues in.</summary>
public enum WindowLane
{
    /// <summary>Windows as they close (stored first).</summary>
    Live,

    /// <summary>Windows that waited out an outage in their fog's outbox (stored with what the live lane leaves of a batch).</summary>
    Late,
}
