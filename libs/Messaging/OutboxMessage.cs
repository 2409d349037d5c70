namespace FogLens.Messaging;

/// <summary>A message waiting in the outbox, oldest first by <see cref="Sequence"/>.</summary>
public sealed record OutboxMessage(long Sequence, string Topic, byte[] Payload, bool Retain);
