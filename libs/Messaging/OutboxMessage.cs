namespace FogLens.Messaging;

/// <summary>A message waiting in the outbox, oldest first by <see cref="Sequence"/>; <see cref="Enqueued"/> is when it was stored (its file's time).</summary>
public sealed record OutboxMessage(long Sequence, string Topic, byte[] Payload, bool Retain, DateTimeOffset Enqueued);
