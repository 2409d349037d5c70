namespace FogLens.Contracts.Serialization;

/// <summary>Size limits applied before parsing untrusted payloads.</summary>
public sealed record MessageLimits
{
    /// <summary>Limits used when none are configured.</summary>
    public static MessageLimits Default { get; } = new();

    /// <summary>Largest JSON message (status, demographics, tasks).</summary>
    public int MaxJsonBytes { get; init; } = 64 * 1024;

    /// <summary>Largest header of a binary frame.</summary>
    public int MaxFrameHeaderBytes { get; init; } = 16 * 1024;

    /// <summary>Largest face crop frame (JPEG + header).</summary>
    public int MaxFaceCropBytes { get; init; } = 1024 * 1024;

    /// <summary>Largest model update frame (codec bytes + header).</summary>
    public int MaxModelUpdateBytes { get; init; } = 64 * 1024 * 1024;
}
