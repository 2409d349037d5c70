namespace FogLens.Compression;

/// <summary>Bounds a decoder checks before it allocates anything a payload asks for.</summary>
public sealed record DecodeLimits
{
    public static DecodeLimits Default { get; } = new();

    public int MaxPayloadBytes { get; init; } = 256 * 1024 * 1024;

    public int MaxTensors { get; init; } = 4096;

    /// <summary>Most elements over all tensors (dense decode allocates 4 bytes each).</summary>
    public long MaxElements { get; init; } = 100_000_000;

    public int MaxNameBytes { get; init; } = 200;

    public int MaxRank { get; init; } = 8;
}
