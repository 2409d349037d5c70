namespace FogLens.Messaging.Inbound;

/// <summary>What a consumer did with an inbound message; decides the PUBACK (or the retry of an external subscription).</summary>
public enum IngestOutcome
{
    /// <summary>Stored (committed): acknowledge.</summary>
    Stored,

    /// <summary>Already stored before (a redelivery): acknowledge, count once.</summary>
    Duplicate,

    /// <summary>Malformed or not allowed: acknowledge (a resend would fail again), counted and logged.</summary>
    Rejected,

    /// <summary>Could not be stored now (e.g. the database is unavailable): do not acknowledge, the sender retries.</summary>
    Retry,

    /// <summary>Not a topic anyone here consumes.</summary>
    Ignored,
}
