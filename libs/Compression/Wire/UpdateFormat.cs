namespace FogLens.Compression.Wire;

/// <summary>Constants of the update wire format (see docs/protocol.md).</summary>
internal static class UpdateFormat
{
    public const byte Version = 1;

    /// <summary>magic(4) version(1) codec(1) flags(1) reserved(1) tensorCount(4) totalElements(8).</summary>
    public const int HeaderLength = 20;

    public const int CrcLength = 4;

    public const byte FlagGlobalSelection = 1;

    public const byte FlagErrorFeedback = 2;

    public const byte KnownFlags = FlagGlobalSelection | FlagErrorFeedback;

    /// <summary>Bytes of a tensor-table entry beyond its name and dims: name length, rank, p, a, b, count, rice k, payload length.</summary>
    public const int EntryFixedLength = 1 + 1 + 4 + 4 + 4 + 4 + 1 + 4;

    /// <summary>
    /// Rice parameter value that marks a tensor of a sparse codec (SBC, top-k, STC) sent densely as float32
    /// (<see cref="CodecOptions.DenseMaxElements"/>): count = elements, payload = 4 bytes per element.
    /// </summary>
    public const byte DenseTensorMarker = 255;

    public static ReadOnlySpan<byte> Magic => "FLUP"u8;

    public static int EntryLength(int nameBytes, int rank) => EntryFixedLength + nameBytes + (4 * rank);
}
