namespace FogLens.CloudPortal.Common;

/// <summary>Why the portal refused a message that parsed (the contract's own checks come first).</summary>
public enum IngestRefusal
{
    /// <summary>The message does not parse or breaks the contract (counts, ids, labels, model version).</summary>
    Malformed,

    /// <summary>A fog reported for an edge that is bound to another fog.</summary>
    ForeignEdge,

    /// <summary>The window ends further in the future than clocks can disagree.</summary>
    WindowInFuture,

    /// <summary>The window is older than Ingest:MaxWindowAge.</summary>
    WindowTooOld,
}
