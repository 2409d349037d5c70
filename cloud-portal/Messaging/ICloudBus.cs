namespace FogLens.CloudPortal.Messaging;

/// <summary>How the portal publishes to fogs (round tasks, model announcements), whichever broker is used.</summary>
public interface ICloudBus
{
    bool IsConnected { get; }

    /// <summary>Publishes with QoS 1; true when the broker took the message.</summary>
    Task<bool> PublishAsync(string topic, ReadOnlyMemory<byte> payload, bool retain, CancellationToken cancellationToken);
}

/// <summary>What the ingest did with a message; decides the PUBACK.</summary>
public enum IngestOutcome
{
    /// <summary>Stored (committed): acknowledge.</summary>
    Stored,

    /// <summary>Already stored before (a redelivery): acknowledge, count once.</summary>
    Duplicate,

    /// <summary>Malformed or not allowed: acknowledge (a resend would fail again), counted and logged.</summary>
    Rejected,

    /// <summary>Could not be stored now (database unavailable): do not acknowledge, the sender retries.</summary>
    Retry,

    /// <summary>Not a topic the portal consumes.</summary>
    Ignored,
}
