namespace FogLens.Contracts.Messages;

/// <summary>Schema versions this build writes and accepts.</summary>
public static class SchemaVersions
{
    /// <summary>The only schema version of protocol v1 so far.</summary>
    public const int Current = 1;

    /// <summary>True when a receiver of this build understands <paramref name="version"/>.</summary>
    public static bool IsSupported(int version) => version == Current;
}
