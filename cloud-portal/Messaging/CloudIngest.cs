using System.Data.Common;
using FogLens.CloudPortal.Data;
using FogLens.CloudPortal.Federated;
using FogLens.Contracts;
using FogLens.Contracts.Messages;
using FogLens.Contracts.Serialization;
using Microsoft.EntityFrameworkCore;

namespace FogLens.CloudPortal.Messaging;

/// <summary>
/// Everything fogs send to the cloud: demographics windows (stored once per message id, so a redelivery
/// never double-counts), fog status, and model updates (handed to the coordinator). Returns an
/// <see cref="IngestOutcome"/> and never throws for bad input; the caller acknowledges only what is stored
/// or refused for good, so a database outage loses nothing.
/// </summary>
public sealed partial class CloudIngest(
    PortalDb db, FederatedCoordinator coordinator, PortalCounters counters, PortalEvents events, TimeProvider time,
    Microsoft.Extensions.Options.IOptions<IngestOptions> ingestOptions, ILogger<CloudIngest> logger)
{
    private readonly IngestOptions _rules = ingestOptions.Value;
    private readonly MessageParser _parser = new();

    public async Task<IngestOutcome> HandleAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (!Topics.TryParse(topic, out var info))
        {
            return IngestOutcome.Ignored;
        }

        try
        {
            return info.Kind switch
            {
                TopicKind.FogDemographics => await StoreDemographicsAsync(topic, info.NodeId!, payload, cancellationToken),
                TopicKind.FogStatus => await StoreStatusAsync(topic, info.NodeId!, payload, cancellationToken),
                TopicKind.RoundUpdate => await coordinator.HandleUpdateAsync(topic, payload, cancellationToken),
                _ => IngestOutcome.Ignored,
            };
        }
        catch (Exception ex) when (ex is DbException or DbUpdateException or InvalidOperationException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            LogStoreFailed(topic, ex.GetBaseException().Message);
            return IngestOutcome.Retry;
        }
    }

    private async Task<IngestOutcome> StoreDemographicsAsync(string topic, string fogId, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var parsed = _parser.ParseFogDemographics(topic, payload.Span);
        if (!parsed.IsSuccess)
        {
            return Reject(topic, parsed.Error!.ToString());
        }

        var m = parsed.Value!;
        var now = time.GetUtcNow();
        if (IngestRules.CheckWindow(m, now, _rules) is { } refusal)
        {
            return Reject(topic, refusal, $"window {m.WindowStart:O}..{m.WindowEnd:O} is outside the accepted range at {now:O}");
        }

        await using var context = db.Create();
        var edge = await context.Nodes.FindAsync([m.EdgeId], cancellationToken);
        if (edge is { Kind: "edge" } && !IngestRules.MayReportFor(fogId, edge.FogId))
        {
            return Reject(topic, IngestRefusal.ForeignEdge, $"edge {m.EdgeId} is bound to fog {edge.FogId}");
        }

        var window = new DemographicsWindow
        {
            MessageId = m.Header.MessageId,
            FogId = fogId,
            EdgeId = m.EdgeId,
            CameraId = m.CameraId,
            WindowStart = m.WindowStart.ToUniversalTime(),
            WindowEnd = m.WindowEnd.ToUniversalTime(),
            Faces = m.Faces,
            MeanAge = m.MeanAge,
            ModelVersion = m.ModelVersion,
            ReceivedAt = now,
            Groups = [.. m.AgeGroups.Select(g => new AgeGroupTally { Label = g.Label, MinAge = g.MinAge, Count = g.Count })],
        };
        context.Demographics.Add(window);
        if (edge is null)
        {
            context.Nodes.Add(new NodeRecord { Id = m.EdgeId, Kind = "edge", FogId = fogId, State = nameof(NodeState.Online), LastSeen = now, ModelVersion = m.ModelVersion });
        }
        else if (edge.Kind == "edge")
        {
            edge.FogId = fogId;
            edge.LastSeen = now;
            edge.State = nameof(NodeState.Online);
        }

        try
        {
            await context.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (PortalDb.IsDuplicate(ex))
        {
            if (!await IsKnownMessageAsync(m.Header.MessageId, cancellationToken))
            {
                throw; // another constraint (e.g. two edges racing to be created): retry
            }

            counters.Duplicate();
            LogDuplicate(m.Header.MessageId, fogId);
            return IngestOutcome.Duplicate;
        }

        counters.WindowStored();
        events.Raise(PortalChange.Demographics);
        return IngestOutcome.Stored;
    }

    private async Task<bool> IsKnownMessageAsync(Guid messageId, CancellationToken cancellationToken)
    {
        await using var context = db.Create();
        return await context.Demographics.AnyAsync(w => w.MessageId == messageId, cancellationToken);
    }

    private async Task<IngestOutcome> StoreStatusAsync(string topic, string fogId, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (payload.IsEmpty)
        {
            return IngestOutcome.Ignored; // a cleared retained message
        }

        var parsed = _parser.ParseFogStatus(topic, payload.Span);
        if (!parsed.IsSuccess)
        {
            return Reject(topic, parsed.Error!.ToString());
        }

        var s = parsed.Value!;
        await using var context = db.Create();
        var node = await context.Nodes.FindAsync([fogId], cancellationToken);
        if (node is null)
        {
            node = new NodeRecord { Id = fogId, Kind = "fog", State = s.State.ToString() };
            context.Nodes.Add(node);
        }

        node.Kind = "fog";
        node.State = s.State.ToString();
        node.LastSeen = time.GetUtcNow();
        node.ModelVersion = s.ModelVersion;
        node.EdgesOnline = s.EdgesOnline;
        node.CropsReceived = s.CropsReceived;
        node.CropsInferred = s.CropsInferred;
        node.CropsRejected = s.CropsRejected;
        node.QueueDepth = s.QueueDepth;
        node.OutboxDepth = s.OutboxDepth;
        node.Training = s.Training;
        node.LocalSamples = s.LocalSamples;
        node.Rate = s.InferencePerSecond;
        // An edge id equal to a fog id would clash with the fog's record: the fog's record stays.
        var edges = (s.Edges ?? []).Where(e => e.EdgeId != fogId).ToList();
        var edgeIds = edges.Select(e => e.EdgeId).ToList();
        var known = edgeIds.Count == 0
            ? new Dictionary<string, NodeRecord>(StringComparer.Ordinal)
            : await context.Nodes.Where(n => edgeIds.Contains(n.Id)).ToDictionaryAsync(n => n.Id, StringComparer.Ordinal, cancellationToken);
        foreach (var e in edges)
        {
            if (!known.TryGetValue(e.EdgeId, out var edge))
            {
                edge = new NodeRecord { Id = e.EdgeId, Kind = "edge", State = e.State.ToString() };
                context.Nodes.Add(edge);
                known[e.EdgeId] = edge;
            }
            else if (edge.Kind != "edge")
            {
                continue; // an edge id equal to another fog's id: that fog's record stays
            }
            else if (!IngestRules.MayReportFor(fogId, edge.FogId))
            {
                counters.MessageRejected(IngestRefusal.ForeignEdge);
                LogRejected(topic, $"status for edge {e.EdgeId}, which is bound to fog {edge.FogId}: ignored");
                continue;
            }

            // The fog's clock says when it last heard from the edge; keep the age, not the fog's clock.
            var lastSeen = node.LastSeen - (s.Header.SentAt - e.LastSeen);
            edge.FogId = fogId;
            edge.State = e.State.ToString();
            edge.LastSeen = lastSeen > edge.LastSeen ? lastSeen : edge.LastSeen;
            edge.CameraId = e.CameraId;
            edge.Rate = e.CameraFps;
            edge.CropsReceived = e.FacesPublished;
            edge.OutboxDepth = e.OutboxDepth;
        }

        await context.SaveChangesAsync(cancellationToken);
        counters.StatusReceived();
        events.Raise(PortalChange.Nodes);
        return IngestOutcome.Stored;
    }

    private IngestOutcome Reject(string topic, string error) => Reject(topic, IngestRefusal.Malformed, error);

    private IngestOutcome Reject(string topic, IngestRefusal reason, string error)
    {
        counters.MessageRejected(reason);
        LogRejected(topic, $"{reason}: {error}");
        return IngestOutcome.Rejected;
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "Rejected message on {Topic}: {Error}")]
    private partial void LogRejected(string topic, string error);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Debug, Message = "Duplicate demographics message {MessageId} from {FogId} (redelivery), counted once")]
    private partial void LogDuplicate(Guid messageId, string fogId);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Error, Message = "Could not store message on {Topic}; it is not acknowledged and will be redelivered: {Error}")]
    private partial void LogStoreFailed(string topic, string error);
}
