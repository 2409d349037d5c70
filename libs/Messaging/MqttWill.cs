namespace FogLens.Messaging;

/// <summary>The last-will message the broker publishes when a node disappears without disconnecting.</summary>
public sealed record MqttWill(string Topic, byte[] Payload, bool Retain);
