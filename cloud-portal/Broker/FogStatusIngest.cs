using FogLens.CloudPortal.Data;
using FogLens.Contracts;
using FogLens.Contracts.Serialization;
using FogLens.Messaging.Inbound;
using Microsoft.EntityFrameworkCore;
using FogLens.CloudPortal.Common;

namespace FogLens.CloudPortal.Broker;

/// <summary>
/// Keeps each fog's latest status (topic <c>foglens/v1/fog/{id}/status</c>) and the state of the edges it reports,
/// for edges bound to that fog only.
/// </summary>
public sealed class FogStatusIngest(PortalDb db, IngestRefusals refusals, PortalCounters counters, PortalEvents events, TimeProvider time) : IInboundHandler
{
    private readonly MessageParser _parser = new();

    public async Task<IngestOutcome> HandleAsync(string topicName, TopicInfo topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var fogId = topic.NodeId!;
        if (payload.IsEmpty)
        {
            return IngestOutcome.Ignored; // a cleared retained message
        }

        var parsed = _parser.ParseFogStatus(topicName, payload.Span);
        if (!parsed.IsSuccess)
        {
            return refusals.Reject(topicName, IngestRefusal.Malformed, parsed.Error!.ToString());
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
        if (s.Site is { } site)
        {
            node.Site = site; // an older fog says nothing: what was known stays
        }

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
                refusals.Reject(topicName, IngestRefusal.ForeignEdge, $"status for edge {e.EdgeId}, which is bound to fog {edge.FogId}: ignored");
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
            edge.SourceState = e.SourceState;
            edge.SourceProblem = e.SourceState is null or Contracts.Messages.SourceState.Ok ? null : e.SourceProblem;
        }

        await context.SaveChangesAsync(cancellationToken);
        counters.StatusReceived();
        events.Raise(PortalChange.Nodes);
        return IngestOutcome.Stored;
    }
}
