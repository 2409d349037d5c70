namespace FogLens.Messaging;

/// <summary>What happened to a QoS 1 publish.</summary>
public enum PublishOutcome
{
    /// <summary>The broker acknowledged the message (PUBACK success or no matching subscribers).</summary>
    Acknowledged,

    /// <summary>Not connected now; try again later.</summary>
    NotConnected,

    /// <summary>The connection failed during the publish; try again later.</summary>
    Failed,

    /// <summary>The broker refused this message for good (not authorised, invalid topic or payload).</summary>
    Rejected,
}
