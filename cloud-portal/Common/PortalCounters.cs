namespace FogLens.CloudPortal.Common;

/// <summary>Counters of what the portal received and refused (exported at /metrics and /api/status). Thread-safe.</summary>
public sealed class PortalCounters
{
    private long _windows;
    private long _duplicates;
    private long _rejectedMessages;
    private long _statuses;
    private long _updatesAccepted;
    private long _updatesRejected;
    private long _updatesLate;
    private long _refusedConnections;
    private long _refusedPublishes;
    private readonly long[] _refusals = new long[Enum.GetValues<IngestRefusal>().Length];

    public long WindowsStored => Interlocked.Read(ref _windows);

    public long Duplicates => Interlocked.Read(ref _duplicates);

    public long RejectedMessages => Interlocked.Read(ref _rejectedMessages);

    public long StatusMessages => Interlocked.Read(ref _statuses);

    public long UpdatesAccepted => Interlocked.Read(ref _updatesAccepted);

    public long UpdatesRejected => Interlocked.Read(ref _updatesRejected);

    public long UpdatesLate => Interlocked.Read(ref _updatesLate);

    public long RefusedConnections => Interlocked.Read(ref _refusedConnections);

    public long RefusedPublishes => Interlocked.Read(ref _refusedPublishes);

    public void WindowStored() => Interlocked.Increment(ref _windows);

    public void Duplicate() => Interlocked.Increment(ref _duplicates);

    /// <summary>Messages refused for <paramref name="reason"/> since start.</summary>
    public long Refused(IngestRefusal reason) => Interlocked.Read(ref _refusals[(int)reason]);

    public void MessageRejected(IngestRefusal reason = IngestRefusal.Malformed)
    {
        Interlocked.Increment(ref _rejectedMessages);
        Interlocked.Increment(ref _refusals[(int)reason]);
    }

    public void StatusReceived() => Interlocked.Increment(ref _statuses);

    public void UpdateAccepted() => Interlocked.Increment(ref _updatesAccepted);

    public void UpdateRejected() => Interlocked.Increment(ref _updatesRejected);

    public void UpdateLate() => Interlocked.Increment(ref _updatesLate);

    public void ConnectionRefused() => Interlocked.Increment(ref _refusedConnections);

    public void PublishRefused() => Interlocked.Increment(ref _refusedPublishes);

    public IReadOnlyDictionary<string, long> Snapshot()
    {
        var all = Totals();
        foreach (var reason in Enum.GetValues<IngestRefusal>())
        {
            all[$"messages_rejected_{System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(reason.ToString())}_total"] = Refused(reason);
        }

        return all;
    }

    private Dictionary<string, long> Totals() => new()
    {
        ["demographics_windows_stored_total"] = WindowsStored,
        ["messages_duplicate_total"] = Duplicates,
        ["messages_rejected_total"] = RejectedMessages,
        ["status_messages_total"] = StatusMessages,
        ["updates_accepted_total"] = UpdatesAccepted,
        ["updates_rejected_total"] = UpdatesRejected,
        ["updates_late_total"] = UpdatesLate,
        ["broker_connections_refused_total"] = RefusedConnections,
        ["broker_publishes_refused_total"] = RefusedPublishes,
    };
}

/// <summary>What changed, so open pages refresh without reload.</summary>
public enum PortalChange
{
    Demographics,
    Nodes,
    Rounds,
    Models,
}

/// <summary>In-process change notifications for the live pages. Thread-safe.</summary>
public sealed class PortalEvents
{
    public event Action<PortalChange>? Changed;

    public void Raise(PortalChange change) => Changed?.Invoke(change);
}
