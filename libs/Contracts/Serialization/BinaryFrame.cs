using System.Buffers.Binary;
using System.Text.Json;
using FogLens.Contracts.Messages;

namespace FogLens.Contracts.Serialization;

/// <summary>
/// Binary frames carry bulky payloads (JPEG crops, model updates) as raw bytes behind a small
/// JSON header, instead of base64 inside JSON. Layout (little-endian):
/// <code>
/// offset 0  4 bytes  magic "FLBF"
///        4  1 byte   frame version (1)
///        5  1 byte   kind (BinaryFrameKind)
///        6  2 bytes  reserved, 0
///        8  4 bytes  header length H
///       12  H bytes  header: UTF-8 JSON of the metadata record
///     12+H  rest     payload
/// </code>
/// </summary>
public static class BinaryFrame
{
    /// <summary>Current frame layout version.</summary>
    public const byte Version = 1;

    /// <summary>Bytes before the JSON header.</summary>
    public const int PreambleLength = 12;

    private static ReadOnlySpan<byte> Magic => "FLBF"u8;

    /// <summary>Builds a frame from metadata and payload.</summary>
    public static byte[] Encode<TMetadata>(BinaryFrameKind kind, TMetadata metadata, ReadOnlySpan<byte> payload)
        where TMetadata : class, IFogLensMessage
    {
        var header = JsonSerializer.SerializeToUtf8Bytes(metadata, JsonMessages.TypeInfo<TMetadata>());
        var frame = new byte[PreambleLength + header.Length + payload.Length];
        Magic.CopyTo(frame);
        frame[4] = Version;
        frame[5] = (byte)kind;
        BinaryPrimitives.WriteInt32LittleEndian(frame.AsSpan(8), header.Length);
        header.CopyTo(frame.AsSpan(PreambleLength));
        payload.CopyTo(frame.AsSpan(PreambleLength + header.Length));
        return frame;
    }

    /// <summary>
    /// Decodes an untrusted frame: checks total size against <paramref name="maxFrameBytes"/> before
    /// anything else, then magic, version, kind and header length, then parses and validates the header.
    /// </summary>
    public static ParseResult<BinaryMessage<TMetadata>> Decode<TMetadata>(
        ReadOnlyMemory<byte> frame, BinaryFrameKind expectedKind, int maxFrameBytes, int maxHeaderBytes)
        where TMetadata : class, IFogLensMessage
    {
        if (frame.Length > maxFrameBytes)
        {
            return Fail<TMetadata>(ContractErrorKind.Oversized, $"{expectedKind} frame of {frame.Length} bytes exceeds the limit of {maxFrameBytes}");
        }

        var span = frame.Span;
        if (span.Length < PreambleLength || !span[..4].SequenceEqual(Magic))
        {
            return Fail<TMetadata>(ContractErrorKind.Malformed, $"not a FogLens binary frame (expected {expectedKind})");
        }

        if (span[4] != Version)
        {
            return Fail<TMetadata>(ContractErrorKind.UnsupportedVersion, $"frame version {span[4]} is not supported (this build reads {Version})");
        }

        if (span[5] != (byte)expectedKind)
        {
            return Fail<TMetadata>(ContractErrorKind.Malformed, $"frame kind {span[5]} is not {expectedKind}");
        }

        var headerLength = BinaryPrimitives.ReadInt32LittleEndian(span[8..]);
        if (headerLength <= 0 || headerLength > maxHeaderBytes || headerLength > span.Length - PreambleLength)
        {
            return Fail<TMetadata>(ContractErrorKind.Malformed, $"frame header length {headerLength} is out of range for a frame of {span.Length} bytes");
        }

        var metadata = JsonMessages.Parse<TMetadata>(span.Slice(PreambleLength, headerLength), maxHeaderBytes);
        return metadata.IsSuccess
            ? ParseResult<BinaryMessage<TMetadata>>.Success(new BinaryMessage<TMetadata>(metadata.Value, frame[(PreambleLength + headerLength)..]))
            : ParseResult<BinaryMessage<TMetadata>>.Failure(metadata.Error);
    }

    private static ParseResult<BinaryMessage<TMetadata>> Fail<TMetadata>(ContractErrorKind kind, string message)
        where TMetadata : class, IFogLensMessage =>
        ParseResult<BinaryMessage<TMetadata>>.Failure(kind, message);
}
