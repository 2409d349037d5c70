using System.Diagnostics.Metrics;
using System.Text.Json;
using FogLens.CloudPortal.Common;

namespace FogLens.CloudPortal;

/// <summary>
/// The portal's meter <c>FogLens.Portal</c>: observable instruments over <see cref="PortalCounters"/>, exported by
/// OpenTelemetry (Prometheus <c>/metrics</c>, OTLP). Prometheus names are the instrument names with dots as
/// underscores and <c>_total</c> on counters, e.g. <c>foglens_portal_demographics_windows_stored_total</c>.
/// </summary>
public sealed class PortalInstruments
{
    public const string MeterName = "FogLens.Portal";

    public PortalInstruments(IMeterFactory meters, PortalCounters counters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        ArgumentNullException.ThrowIfNull(counters);
        var meter = meters.Create(MeterName);
        meter.CreateObservableCounter("foglens.portal.demographics_windows_stored", () => counters.WindowsStored, "{window}", "Demographics windows stored (each once).");
        meter.CreateObservableCounter("foglens.portal.messages_duplicate", () => counters.Duplicates, "{message}", "Redelivered messages recognised and stored once.");
        meter.CreateObservableCounter("foglens.portal.messages_rejected", () => Refusals(counters), "{message}", "Messages refused at ingest, by reason.");
        meter.CreateObservableCounter("foglens.portal.status_messages", () => counters.StatusMessages, "{message}", "Node status messages received.");
        meter.CreateObservableCounter("foglens.portal.updates_accepted", () => counters.UpdatesAccepted, "{update}", "Model updates accepted into a round.");
        meter.CreateObservableCounter("foglens.portal.updates_rejected", () => counters.UpdatesRejected, "{update}", "Model updates refused (mismatch, norm, decode).");
        meter.CreateObservableCounter("foglens.portal.updates_late", () => counters.UpdatesLate, "{update}", "Model updates that arrived after their round closed.");
        meter.CreateObservableCounter("foglens.portal.broker_connections_refused", () => counters.RefusedConnections, "{connection}", "Broker connections refused (credentials, limits).");
        meter.CreateObservableCounter("foglens.portal.broker_publishes_refused", () => counters.RefusedPublishes, "{message}", "Publishes the broker refused (topic, size).");
    }

    private static IEnumerable<Measurement<long>> Refusals(PortalCounters counters)
    {
        foreach (var reason in Enum.GetValues<IngestRefusal>())
        {
            yield return new Measurement<long>(counters.Refused(reason), new KeyValuePair<string, object?>("reason", JsonNamingPolicy.SnakeCaseLower.ConvertName(reason.ToString())));
        }
    }
}
