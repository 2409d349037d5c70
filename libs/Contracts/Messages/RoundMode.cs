namespace FogLens.Contracts.Messages;

/// <summary>How the coordinator applies updates.</summary>
public enum RoundMode
{
    /// <summary>Wait for the quorum until the deadline, then aggregate (late updates dropped).</summary>
    Synchronous,

    /// <summary>Apply each update as it arrives, weighted by its staleness.</summary>
    Asynchronous,
}
