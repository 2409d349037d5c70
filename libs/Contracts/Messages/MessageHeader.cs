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
public sealed record MessageHeader(int SchemaVersion, string SenderId, long Sequence, Guid MessageId, DateTimeOffset SentAt);
