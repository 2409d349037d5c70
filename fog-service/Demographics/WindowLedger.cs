using FogLens.Contracts;
using FogLens.Contracts.Messages;
using FogLens.Contracts.Serialization;
using FogLens.Messaging;
using FogLens.FogService.Common;

namespace FogLens.FogService.Demographics;

/// <summary>
/// Keeps the demographics windows crash-safe: an inferred face is written to the <see cref="ObservationJournal"/>
/// before it is counted (and before its crop leaves the spool), and a closed window is put in the durable cloud
/// outbox and marked closed in the journal under one lock, so nothing can slip between the two. At start it
/// replays the journal and closes every window it recovers at once: if a crash came after a window reached the
/// outbox but before it was marked, the same faces give the same message id and the portal stores it once.
/// </summary>
public sealed partial class WindowLedger : IDisposable
{
    private readonly Lock _gate = new();
    private readonly ObservationJournal _journal;
    private readonly DemographicsAggregator _aggregator;
    private readonly DiskOutbox _outbox;
    private readonly string _topic;
    private readonly Queue<Guid> _recent = new();
    private readonly Action _published;
    private readonly ILogger _logger;

    public WindowLedger(string path, string fogId, DemographicsAggregator aggregator, DiskOutbox outbox, Action published, ILogger logger)
    {
        _aggregator = aggregator;
        _outbox = outbox;
        _topic = Topics.FogDemographics(fogId);
        _published = published;
        _logger = logger;
        var (pending, seen) = ObservationJournal.Replay(path, aggregator.Window);
        foreach (var id in seen.TakeLast(ObservationJournal.RecentIds))
        {
            _recent.Enqueue(id);
        }

        SeenAtStart = seen;
        _journal = new ObservationJournal(path);
        foreach (var observation in pending)
        {
            aggregator.Add(observation);
        }

        if (pending.Count > 0)
        {
            LogRecovered(pending.Count, path);
            CloseWindows(DateTimeOffset.MaxValue, all: true);
        }
    }

    /// <summary>Crop ids the journal remembers from before this start (the intake's deduplication seeds from them).</summary>
    public IReadOnlyList<Guid> SeenAtStart { get; }

    /// <summary>Journals and counts a batch of inferred faces (one disk flush for the batch).</summary>
    public void Record(IReadOnlyList<Observation> observations)
    {
        if (observations.Count == 0)
        {
            return;
        }

        lock (_gate)
        {
            _journal.Append(observations);
            foreach (var o in observations)
            {
                _aggregator.Add(o);
                _recent.Enqueue(o.MessageId);
                if (_recent.Count > ObservationJournal.RecentIds)
                {
                    _recent.Dequeue();
                }
            }
        }
    }

    /// <summary>Closes due windows (all with <paramref name="all"/>) into the cloud outbox and marks them in the journal.</summary>
    public IReadOnlyList<FogDemographics> CloseWindows(DateTimeOffset now, bool all)
    {
        lock (_gate)
        {
            using var activity = FogTelemetry.Source.StartActivity("windows close", System.Diagnostics.ActivityKind.Producer);
            var windows = _aggregator.Close(now, all);
            activity?.SetTag("foglens.windows", windows.Count);
            if (windows.Count == 0)
            {
                return windows;
            }

            foreach (var window in windows)
            {
                _outbox.Enqueue(_topic, JsonMessages.Serialize(window));
                _published();
                LogWindow(window.EdgeId, window.CameraId, window.WindowStart, window.Faces, window.Header.MessageId); // also for windows recovered at start
            }

            _journal.AppendClosed(windows.Select(w => (w.EdgeId, w.CameraId, w.WindowStart.UtcTicks)));
            if (_journal.Bytes > ObservationJournal.CompactBytes)
            {
                _journal.Compact(_aggregator.Pending(), [.. _recent]);
            }

            return windows;
        }
    }

    public void Dispose() => _journal.Dispose();

    [LoggerMessage(EventId = 3401, Level = LogLevel.Information, Message = "Window {Start:O} of {EdgeId}/{CameraId} closed with {Faces} faces as message {MessageId}")]
    private partial void LogWindow(string edgeId, string cameraId, DateTimeOffset start, int faces, Guid messageId);

    [LoggerMessage(EventId = 3410, Level = LogLevel.Warning, Message = "Recovered {Count} counted faces of windows not yet sent from {Path} (the fog stopped without closing them); sending them now")]
    private partial void LogRecovered(int count, string path);
}
