namespace FogLens.Compression;

/// <summary>Why an update payload was rejected.</summary>
public enum CorruptUpdateReason
{
    /// <summary>Ends before the structure it announces.</summary>
    Truncated,

    /// <summary>CRC32 does not match: bits were changed in transit or on disk.</summary>
    ChecksumMismatch,

    /// <summary>Not an update payload (wrong magic).</summary>
    BadMagic,

    /// <summary>A format version this build does not read.</summary>
    UnsupportedVersion,

    /// <summary>A codec id this build does not know.</summary>
    UnknownCodec,

    /// <summary>Larger than the configured limits (bytes, tensors, elements, name length, rank).</summary>
    Oversized,

    /// <summary>Fields contradict each other (counts, lengths, positions, Golomb parameters).</summary>
    Inconsistent,

    /// <summary>Carries NaN or infinite values.</summary>
    NonFinite,

    /// <summary>Tensor names or shapes differ from the model the update is for.</summary>
    ShapeMismatch,
}
