using FogLens.Contracts;
using FogLens.Contracts.Serialization;
using FogLens.Messaging;
using FogLens.Messaging.Inbound;
using FogLens.CloudPortal.Common;

namespace FogLens.CloudPortal.Broker;

/// <summary>
/// Stores a fog's demographics windows (topic <c>foglens/v1/fog/{id}/demographics</c>, and <c>.../demographics/late</c>
/// for an outage's backlog, stored after the live ones) once per message id, so a
/// redelivery never double-counts; refuses windows outside the accepted time range and windows for an edge
/// bound to another fog (<see cref="IngestRules"/>). A window is never older than Portal:RawRetentionDays when accepted,
/// so its stored copy is still there to recognise a redelivery (retention deletes by window end). Storing is batched across concurrent messages (<see cref="WindowBatcher"/>).
/// </summary>
public sealed class DemographicsIngest(
    WindowBatcher batcher, IngestRefusals refusals, TimeProvider time,
    Microsoft.Extensions.Options.IOptions<IngestOptions> ingestOptions, Microsoft.Extensions.Options.IOptions<PortalOptions> portalOptions) : IInboundHandler
{
    private readonly IngestOptions _rules = new()
    {
        MaxClockSkew = ingestOptions.Value.MaxClockSkew,
        MaxWindowAge = TimeSpan.FromDays(portalOptions.Value.RawRetentionDays) < ingestOptions.Value.MaxWindowAge
            ? TimeSpan.FromDays(portalOptions.Value.RawRetentionDays) : ingestOptions.Value.MaxWindowAge,
    };
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

        var lane = topic.Kind == TopicKind.FogLateDemographics ? WindowLane.Late : WindowLane.Live;
        return await batcher.StoreAsync(topicName, fogId, m, now, cancellationToken, lane);
    }
}
