using FogLens.CloudPortal.Common;
namespace FogLens.CloudPortal.Broker;

/// <summary>Counts (per reason, on /metrics) and logs every inbound message the portal refuses.</summary>
public sealed partial class IngestRefusals(PortalCounters counters, ILogger<IngestRefusals> logger)
{
    public FogLens.Messaging.Inbound.IngestOutcome Reject(string topic, IngestRefusal reason, string error)
    {
        counters.MessageRejected(reason);
        LogRejected(topic, $"{reason}: {error}");
        return FogLens.Messaging.Inbound.IngestOutcome.Rejected;
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "Rejected message on {Topic}: {Error}")]
    private partial void LogRejected(string topic, string error);
}
