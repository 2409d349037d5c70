namespace FogLens.Contracts.Messages;

/// <summary>
/// Carried by every FogLens message. QoS 1 is at-least-once, so receivers deduplicate on
/// <see cref="MessageId"/>; <see cref="Sequence"/> is monotonic per sender and orders messages.
/// </summary>
/// <param name="SchemaVersion">Schema version of the message body; see <see cref="SchemaVersions"/>.</param>
/// <param name="SenderId">Node id of the sender (edge or fog id, or the portal's id).</param>
/// <param name="Sequence">Monotonic per sender; never reused, also across restarts.</param>
/// <param name="MessageId">Unique id of this message; redeliveries keep it.</param>
/// <param name="SentAt">When the sender created the message (sender's clock).</param>
/// <param name="TraceParent">W3C <c>traceparent</c> of the activity that created the message (55 characters), so a
/// receiver continues the trace (edge → fog → portal, a round's task → update); absent when nothing was traced.</param>
public sealed record MessageHeader(
    int SchemaVersion,
    string SenderId,
    long Sequence,
    Guid MessageId,
    DateTimeOffset SentAt,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? TraceParent = null)
{
    /// <summary>Length of a version-00 W3C traceparent.</summary>
    public const int TraceParentLength = 55;

    /// <summary>The trace context of <see cref="TraceParent"/>; false when absent or not a valid W3C traceparent.</summary>
    public bool TryGetTraceContext(out System.Diagnostics.ActivityContext context)
    {
        context = default;
        return TraceParent is { Length: TraceParentLength } && System.Diagnostics.ActivityContext.TryParse(TraceParent, null, out context);
    }
}
