using FogLens.Contracts.Messages;

namespace FogLens.Contracts;

/// <summary>
/// Creates message headers for one sender. Sequence numbers start at the sender's clock in
/// microseconds since the Unix epoch and then increase by one per message, so they stay
/// monotonic across restarts without persisted state (as long as the clock does not jump back
/// by more than the messages sent per microsecond).
/// </summary>
public sealed class MessageHeaderFactory
{
    private readonly TimeProvider _time;
    private long _sequence;

    public MessageHeaderFactory(string senderId, TimeProvider? timeProvider = null)
    {
        SenderId = NodeId.Require(senderId, nameof(senderId));
        _time = timeProvider ?? TimeProvider.System;
        _sequence = _time.GetUtcNow().ToUnixTimeMilliseconds() * 1000;
    }

    public string SenderId { get; }

    /// <summary>A header with a fresh message id and the next sequence number, carrying the current activity's trace
    /// context when there is one.</summary>
    public MessageHeader Next() =>
        new(SchemaVersions.Current, SenderId, Interlocked.Increment(ref _sequence), Guid.NewGuid(), _time.GetUtcNow(),
            System.Diagnostics.Activity.Current is { IdFormat: System.Diagnostics.ActivityIdFormat.W3C, Id: { Length: MessageHeader.TraceParentLength } id } ? id : null);
}
