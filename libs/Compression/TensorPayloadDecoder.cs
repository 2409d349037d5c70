using System.Buffers.Binary;
using FogLens.Compression.Wire;

namespace FogLens.Compression;

/// <summary>Decodes one tensor's payload slice by its codec (dense floats, sparse positions and values, signs), every
/// count checked against the bytes present before an array is allocated; problems are <see cref="CorruptUpdateException"/>s.</summary>
internal static class TensorPayloadDecoder
{
    public static DecodedTensor Decode(CodecId codec, TensorSpec spec, in TensorEntry e, ReadOnlySpan<byte> data)
    {
        var n = spec.ElementCount;
        if (e.RiceParameter == UpdateFormat.DenseTensorMarker && codec is CodecId.Sbc or CodecId.TopK or CodecId.Stc)
        {
            // A small tensor of a sparse update sent as float32 (CodecOptions.DenseMaxElements).
            RequireDense(spec, e, data.Length, 4 * n);
            return new DecodedTensor(spec, null, ReadFiniteSingles(spec, data, (int)n), 0f);
        }

        switch (codec)
        {
            case CodecId.Dense:
                RequireDense(spec, e, data.Length, 4 * n);
                return new DecodedTensor(spec, null, ReadFiniteSingles(spec, data, (int)n), 0f);

            case CodecId.Sbc:
            {
                // Each Rice code takes at least k + 1 bits: this bounds count by the bytes present.
                RequireCodeRoom(spec, e.Count, e.RiceParameter, data.Length);
                var positions = new int[e.Count];
                var reader = new BitReader(data);
                RiceCoding.Decode(ref reader, e.RiceParameter, n, positions);
                RequireExactEnd(spec, ref reader, data.Length);
                return new DecodedTensor(spec, positions, null, e.A);
            }

            case CodecId.TopK:
            {
                var valueBytes = 4L * e.Count;
                if (valueBytes > data.Length)
                {
                    throw new CorruptUpdateException(CorruptUpdateReason.Inconsistent, $"tensor '{spec.Name}' announces {e.Count} values in {data.Length} bytes");
                }

                var bitstream = data[(int)valueBytes..];
                RequireCodeRoom(spec, e.Count, e.RiceParameter, bitstream.Length);
                var values = ReadFiniteSingles(spec, data[..(int)valueBytes], e.Count);
                var positions = new int[e.Count];
                var reader = new BitReader(bitstream);
                RiceCoding.Decode(ref reader, e.RiceParameter, n, positions);
                RequireExactEnd(spec, ref reader, bitstream.Length);
                return new DecodedTensor(spec, positions, values, 0f);
            }

            case CodecId.Stc:
            {
                var signBytes = (e.Count + 7) / 8;
                if (signBytes > data.Length || e.A < 0)
                {
                    throw new CorruptUpdateException(CorruptUpdateReason.Inconsistent, $"tensor '{spec.Name}' announces {e.Count} signs in {data.Length} bytes or has a negative magnitude");
                }

                var bitstream = data[..^signBytes];
                var signs = data[^signBytes..];
                if ((e.Count & 7) != 0 && (signs[^1] >> (e.Count & 7)) != 0)
                {
                    throw new CorruptUpdateException(CorruptUpdateReason.Inconsistent, $"tensor '{spec.Name}' has non-zero sign padding bits");
                }

                RequireCodeRoom(spec, e.Count, e.RiceParameter, bitstream.Length);
                var positions = new int[e.Count];
                var reader = new BitReader(bitstream);
                RiceCoding.Decode(ref reader, e.RiceParameter, n, positions);
                RequireExactEnd(spec, ref reader, bitstream.Length);
                var values = new float[e.Count];
                for (var j = 0; j < values.Length; j++)
                {
                    values[j] = (signs[j >> 3] & (1 << (j & 7))) != 0 ? -e.A : e.A;
                }

                return new DecodedTensor(spec, positions, values, 0f);
            }

            case CodecId.SignSgd:
            {
                RequireDense(spec, e, data.Length, (n + 7) / 8);
                if (e.A < 0)
                {
                    throw new CorruptUpdateException(CorruptUpdateReason.Inconsistent, $"tensor '{spec.Name}' has a negative scale");
                }

                if ((n & 7) != 0 && (data[^1] >> (int)(n & 7)) != 0)
                {
                    throw new CorruptUpdateException(CorruptUpdateReason.Inconsistent, $"tensor '{spec.Name}' has non-zero padding bits");
                }

                var values = new float[n];
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = (data[i >> 3] & (1 << (i & 7))) != 0 ? e.A : -e.A;
                }

                return new DecodedTensor(spec, null, values, 0f);
            }

            case CodecId.Q8:
            {
                RequireDense(spec, e, data.Length, n);
                if (e.B < e.A)
                {
                    throw new CorruptUpdateException(CorruptUpdateReason.Inconsistent, $"tensor '{spec.Name}' has max below min");
                }

                var step = (e.B - e.A) / 255f;
                var values = new float[n];
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = e.A + (data[i] * step);
                }

                return new DecodedTensor(spec, null, values, 0f);
            }

            default:
                throw new CorruptUpdateException(CorruptUpdateReason.UnknownCodec, $"codec {codec}");
        }
    }

    private static void RequireDense(TensorSpec spec, in TensorEntry e, int length, long expectedLength)
    {
        if (e.Count != spec.ElementCount || length != expectedLength)
        {
            throw new CorruptUpdateException(CorruptUpdateReason.Inconsistent, $"tensor '{spec.Name}' has {length} payload bytes and count {e.Count}, expected {expectedLength} bytes for {spec.ElementCount} elements");
        }
    }

    private static void RequireCodeRoom(TensorSpec spec, int count, int riceParameter, int bytes)
    {
        if ((long)count * (riceParameter + 1) > 8L * bytes)
        {
            throw new CorruptUpdateException(CorruptUpdateReason.Inconsistent, $"tensor '{spec.Name}' announces {count} positions in {bytes} bytes");
        }
    }

    private static void RequireExactEnd(TensorSpec spec, ref BitReader reader, int length)
    {
        if (reader.BytesConsumed != length || !reader.PaddingIsZero)
        {
            throw new CorruptUpdateException(CorruptUpdateReason.Inconsistent, $"tensor '{spec.Name}' has trailing bits after its positions");
        }
    }

    private static float[] ReadFiniteSingles(TensorSpec spec, ReadOnlySpan<byte> data, int count)
    {
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            var v = BinaryPrimitives.ReadSingleLittleEndian(data[(4 * i)..]);
            if (!float.IsFinite(v))
            {
                throw new CorruptUpdateException(CorruptUpdateReason.NonFinite, $"tensor '{spec.Name}' has {v} at value {i}");
            }

            values[i] = v;
        }

        return values;
    }
}
