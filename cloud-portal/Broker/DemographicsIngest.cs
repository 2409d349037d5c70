using FogLens.CloudPortal.Data;
using FogLens.Contracts;
using FogLens.Contracts.Messages;
using FogLens.Contracts.Serialization;
using FogLens.Messaging;
using FogLens.Messaging.Inbound;
using Microsoft.EntityFrameworkCore;
using FogLens.CloudPortal.Common;

namespace FogLens.CloudPortal.Broker;

/// <summary>
/// Stores a fog's demographics windows (topic <c>foglens/v1/fog/{id}/demographics</c>) once per message id, so a
/// redelivery never double-counts; refuses windows outside the accepted time range and windows for an edge
/// bound to another fog (<see cref="IngestRules"/>).
/// </summary>
public sealed partial class DemographicsIngest(
    PortalDb db, IngestRefusals refusals, PortalCounters counters, PortalEvents events, TimeProvider time,
    Microsoft.Extensions.Options.IOptions<IngestOptions> ingestOptions, ILogger<DemographicsIngest> logger) : IInboundHandler
{
    private readonly IngestOptions _rules = ingestOptions.Value;
    private readonly MessageParser _parser = new();

    public async Task<IngestOutcome> HandleAsync(string topicName, TopicInfo topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var fogId = topic.NodeId!;
        var parsed = _parser.ParseFogDemographics(topicName, payload.Span);
        if (!parsed.IsSuccess)
        {
            return refusals.Reject(topicName, IngestRefusal.Malformed, parsed.Error!.ToString());
        }

        var m = parsed.Value!;
        using var activity = PortalTelemetry.Source.StartConsumer("window store", m.Header);
        var now = time.GetUtcNow();
        if (IngestRules.CheckWindow(m, now, _rules) is { } refusal)
        {
            return refusals.Reject(topicName, refusal, $"window {m.WindowStart:O}..{m.WindowEnd:O} is outside the accepted range at {now:O}");
        }

        await using var context = db.Create();
        var edge = await context.Nodes.FindAsync([m.EdgeId], cancellationToken);
        if (edge is { Kind: "edge" } && !IngestRules.MayReportFor(fogId, edge.FogId))
        {
            return refusals.Reject(topicName, IngestRefusal.ForeignEdge, $"edge {m.EdgeId} is bound to fog {edge.FogId}");
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

    [LoggerMessage(EventId = 4102, Level = LogLevel.Debug, Message = "Duplicate demographics message {MessageId} from {FogId} (redelivery), counted once")]
    private partial void LogDuplicate(Guid messageId, string fogId);
}
