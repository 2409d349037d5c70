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
/// acknowledged can be lost. A batch that hits a unique constraint (a redelivered message) is stored again one window
/// at a time, so every handler gets its own outcome: stored, duplicate, refused, or an exception (retried). The hourly
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

    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(4 * MaxBatch) { SingleReader = true });

    /// <summary>Queues a checked window and waits until it is stored (or refused, or its batch failed).</summary>
    public async Task<IngestOutcome> StoreAsync(string topic, string fogId, FogDemographics window, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        var pending = new Pending(topic, fogId, window, receivedAt, new TaskCompletionSource<IngestOutcome>(TaskCreationOptions.RunContinuationsAsynchronously));
        await _queue.Writer.WriteAsync(pending, cancellationToken);
        return await pending.Done.Task.WaitAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync(stoppingToken))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var next))
            {
                batch.Add(next);
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
        var seen = new HashSet<Guid>();
        for (var i = 0; i < batch.Count; i++)
        {
            outcomes[i] = Stage(context, edges, batch[i], seen);
        }

        await DemographicsRollups.SaveWindowsAsync(context, _minFaces, cancellationToken);
        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Done.TrySetResult(Count(outcomes[i], batch[i]));
        }
    }

    private async Task StoreOneByOneAsync(Pending p, CancellationToken cancellationToken)
    {
        try
        {
            await using var context = db.Create();
            var edge = await context.Nodes.FindAsync([p.Window.EdgeId], cancellationToken);
            var edges = edge is null ? [] : new Dictionary<string, NodeRecord> { [edge.Id] = edge };
            var outcome = Stage(context, edges, p, []);
            try
            {
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

    /// <summary>Adds one window (and creates or refreshes its edge) to the context, or says why not.</summary>
    private static (IngestOutcome Outcome, string? Refusal) Stage(PortalDbContext context, Dictionary<string, NodeRecord> edges, Pending p, HashSet<Guid> seen)
    {
        var m = p.Window;
        edges.TryGetValue(m.EdgeId, out var edge);
        if (edge is { Kind: "edge" } && !IngestRules.MayReportFor(p.FogId, edge.FogId))
        {
            return (IngestOutcome.Rejected, $"edge {m.EdgeId} is bound to fog {edge.FogId}");
        }

        if (!seen.Add(m.Header.MessageId))
        {
            return (IngestOutcome.Duplicate, null); // the same message twice in one batch (two sessions got a redelivery)
        }

        context.Demographics.Add(new DemographicsWindow
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
        });
        if (edge is null)
        {
            edge = new NodeRecord { Id = m.EdgeId, Kind = "edge", FogId = p.FogId, State = nameof(NodeState.Online), LastSeen = p.ReceivedAt, ModelVersion = m.ModelVersion };
            context.Nodes.Add(edge);
            edges[edge.Id] = edge;
        }
        else if (edge.Kind == "edge")
        {
            edge.FogId = p.FogId;
            edge.LastSeen = p.ReceivedAt > edge.LastSeen ? p.ReceivedAt : edge.LastSeen;
            edge.State = nameof(NodeState.Online);
        }

        return (IngestOutcome.Stored, null);
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
