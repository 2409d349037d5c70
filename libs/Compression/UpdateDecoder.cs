using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using FogLens.Compression.Wire;

namespace FogLens.Compression;

/// <summary>
/// Decodes update payloads of any codec. Everything is checked before it is used: size limits first,
/// then magic, version and CRC32, then every table field against the limits, the payload length and the
/// expected model; arrays are allocated only for sizes proven consistent with the bytes present. Any
/// problem is a <see cref="CorruptUpdateException"/>; no other exception escapes for any input.
/// </summary>
public static class UpdateDecoder
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static DecodedUpdate Decode(ReadOnlySpan<byte> payload, DecodeLimits? limits = null, IReadOnlyList<TensorSpec>? expected = null)
    {
        limits ??= DecodeLimits.Default;
        if (payload.Length > limits.MaxPayloadBytes)
        {
            throw new CorruptUpdateException(CorruptUpdateReason.Oversized, $"payload of {payload.Length} bytes exceeds the limit of {limits.MaxPayloadBytes}");
        }

        if (payload.Length < UpdateFormat.HeaderLength + UpdateFormat.CrcLength)
        {
            throw new CorruptUpdateException(CorruptUpdateReason.Truncated, $"payload of {payload.Length} bytes is shorter than a header");
        }

        if (!payload[..4].SequenceEqual(UpdateFormat.Magic))
        {
            throw new CorruptUpdateException(CorruptUpdateReason.BadMagic, "not a FogLens update (magic is not FLUP)");
        }

        if (payload[4] != UpdateFormat.Version)
        {
            throw new CorruptUpdateException(CorruptUpdateReason.UnsupportedVersion, $"format version {payload[4]} is not supported (this build reads {UpdateFormat.Version})");
        }

        var body = payload[..^UpdateFormat.CrcLength];
        var crc = BinaryPrimitives.ReadUInt32LittleEndian(payload[^UpdateFormat.CrcLength..]);
        if (Crc32.HashToUInt32(body) != crc)
        {
            throw new CorruptUpdateException(CorruptUpdateReason.ChecksumMismatch, "CRC32 mismatch: the payload was altered or cut");
        }

        var codec = (CodecId)payload[5];
        if (!Enum.IsDefined(codec))
        {
            throw new CorruptUpdateException(CorruptUpdateReason.UnknownCodec, $"codec id {payload[5]} is unknown");
        }

        var flags = payload[6];
        if ((flags & ~UpdateFormat.KnownFlags) != 0 || payload[7] != 0)
        {
            throw new CorruptUpdateException(CorruptUpdateReason.Inconsistent, "unknown flags or non-zero reserved byte");
        }

        var reader = new SpanReader(body);
        reader.Take(8);
        var tensorCount = reader.ReadUInt32();
        var totalElements = reader.ReadUInt64();
        if (tensorCount == 0 || tensorCount > (uint)limits.MaxTensors)
        {
            throw new CorruptUpdateException(tensorCount == 0 ? CorruptUpdateReason.Inconsistent : CorruptUpdateReason.Oversized, $"{tensorCount} tensors (limit {limits.MaxTensors})");
        }

        if (totalElements > (ulong)limits.MaxElements)
        {
            throw new CorruptUpdateException(CorruptUpdateReason.Oversized, $"{totalElements} elements (limit {limits.MaxElements})");
        }

        if (expected is not null && expected.Count != tensorCount)
        {
            throw new CorruptUpdateException(CorruptUpdateReason.ShapeMismatch, $"update has {tensorCount} tensors, the model {expected.Count}");
        }

        // Each table entry takes at least EntryFixedLength + 1 bytes, which bounds the table before allocation.
        if (tensorCount > (uint)(reader.Remaining / (UpdateFormat.EntryFixedLength + 1)))
        {
            throw new CorruptUpdateException(CorruptUpdateReason.Truncated, $"{tensorCount} tensors cannot fit in {reader.Remaining} bytes");
        }

        var specs = new TensorSpec[tensorCount];
        var entries = new TensorEntry[tensorCount];
        var names = new HashSet<string>(StringComparer.Ordinal);
        long elementSum = 0;
        long payloadSum = 0;
        for (var t = 0; t < tensorCount; t++)
        {
            var spec = ReadSpec(ref reader, limits, names);
            elementSum += spec.ElementCount;
            if (elementSum > (long)totalElements)
            {
                throw new CorruptUpdateException(CorruptUpdateReason.Inconsistent, "tensor sizes exceed the announced total");
            }

            if (expected is not null && !expected[t].Matches(spec))
            {
                throw new CorruptUpdateException(CorruptUpdateReason.ShapeMismatch, $"tensor {t} is {spec}, the model expects {expected[t]}");
            }

            ref var e = ref entries[t];
            e.P = reader.ReadSingle();
            e.A = reader.ReadSingle();
            e.B = reader.ReadSingle();
            var count = reader.ReadUInt32();
            e.RiceParameter = reader.ReadByte();
            var length = reader.ReadUInt32();
            if (!(e.P > 0 && e.P <= 1))
            {
                throw new CorruptUpdateException(CorruptUpdateReason.Inconsistent, $"tensor '{spec.Name}' has sparsity {e.P}");
            }

            if (!float.IsFinite(e.A) || !float.IsFinite(e.B))
            {
                throw new CorruptUpdateException(CorruptUpdateReason.NonFinite, $"tensor '{spec.Name}' has a non-finite parameter");
            }

            var denseMarker = e.RiceParameter == UpdateFormat.DenseTensorMarker && codec is CodecId.Sbc or CodecId.TopK or CodecId.Stc;
            if (count > spec.ElementCount || (e.RiceParameter > RiceCoding.MaxParameter && !denseMarker) || length > int.MaxValue)
            {
                throw new CorruptUpdateException(CorruptUpdateReason.Inconsistent, $"tensor '{spec.Name}' has count {count}, Rice parameter {e.RiceParameter}, length {length}");
            }

            e.Count = (int)count;
            e.PayloadLength = (int)length;
            e.PayloadOffset = (int)payloadSum;
            payloadSum += length;
            specs[t] = spec;
        }

        if (elementSum != (long)totalElements)
        {
            throw new CorruptUpdateException(CorruptUpdateReason.Inconsistent, $"tensors hold {elementSum} elements, the header says {totalElements}");
        }

        if (payloadSum != reader.Remaining)
        {
            throw new CorruptUpdateException(
                payloadSum > reader.Remaining ? CorruptUpdateReason.Truncated : CorruptUpdateReason.Inconsistent,
                $"tensor payloads need {payloadSum} bytes, {reader.Remaining} are present");
        }

        var data = body[reader.Position..];
        var tensors = new DecodedTensor[tensorCount];
        for (var t = 0; t < tensorCount; t++)
        {
            tensors[t] = TensorPayloadDecoder.Decode(codec, specs[t], entries[t], data.Slice(entries[t].PayloadOffset, entries[t].PayloadLength));
        }

        return new DecodedUpdate(codec, (flags & UpdateFormat.FlagGlobalSelection) != 0, (flags & UpdateFormat.FlagErrorFeedback) != 0, tensors, (long)totalElements, payload.Length);
    }

    private static TensorSpec ReadSpec(ref SpanReader reader, DecodeLimits limits, HashSet<string> names)
    {
        var nameLength = reader.ReadByte();
        if (nameLength == 0 || nameLength > limits.MaxNameBytes)
        {
            throw new CorruptUpdateException(CorruptUpdateReason.Oversized, $"tensor name of {nameLength} bytes");
        }

        string name;
        try
        {
            name = StrictUtf8.GetString(reader.Take(nameLength));
        }
        catch (DecoderFallbackException)
        {
            throw new CorruptUpdateException(CorruptUpdateReason.Inconsistent, "tensor name is not valid UTF-8");
        }

        if (!names.Add(name))
        {
            throw new CorruptUpdateException(CorruptUpdateReason.Inconsistent, $"tensor '{name}' appears twice");
        }

        var rank = reader.ReadByte();
        if (rank > limits.MaxRank)
        {
            throw new CorruptUpdateException(CorruptUpdateReason.Oversized, $"tensor '{name}' has rank {rank} (limit {limits.MaxRank})");
        }

        var shape = new int[rank];
        long elements = 1;
        for (var d = 0; d < rank; d++)
        {
            var dim = reader.ReadUInt32();
            if (dim == 0 || dim > (ulong)limits.MaxElements)
            {
                throw new CorruptUpdateException(CorruptUpdateReason.Inconsistent, $"tensor '{name}' has dimension {dim}");
            }

            elements *= dim;
            if (elements > limits.MaxElements)
            {
                throw new CorruptUpdateException(CorruptUpdateReason.Oversized, $"tensor '{name}' exceeds {limits.MaxElements} elements");
            }

            shape[d] = (int)dim;
        }

        return new TensorSpec(name, shape);
    }
}
