using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Numerics.Tensors;
using System.Text;
using FogLens.Compression.Wire;

namespace FogLens.Compression.Codecs;

/// <summary>
/// Shared encoding pipeline: validate the update, form A = ΔW + R (error feedback) in pooled scratch
/// buffers, let the codec encode each tensor (turning A into the new residual in place), write the
/// frame with its CRC32, and only then commit the residuals, so a failed encode leaves the state as it was.
/// </summary>
public abstract class UpdateCodec : IUpdateCodec
{
    protected UpdateCodec(CodecOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    public abstract CodecId Id { get; }

    public CodecOptions Options { get; }

    /// <summary>Whether this codec loses information (and so benefits from a residual).</summary>
    protected virtual bool IsLossy => true;

    public byte[] Encode(IReadOnlyList<UpdateTensor> update, CodecState? state)
    {
        ArgumentNullException.ThrowIfNull(update);
        Validate(update);
        var useResidual = state is not null && Options.ErrorFeedback && IsLossy;
        var accumulated = new float[update.Count][];
        var names = new byte[update.Count][];
        var entries = new TensorEntry[update.Count];
        using var payload = new PayloadBuffer(EstimatePayload(update));
        try
        {
            for (var t = 0; t < update.Count; t++)
            {
                var values = update[t].Values.Span;
                var a = ArrayPool<float>.Shared.Rent(values.Length);
                accumulated[t] = a;
                var span = a.AsSpan(0, values.Length);
                var residual = useResidual ? state!.Get(update[t].Spec) : null;
                if (residual is null)
                {
                    values.CopyTo(span);
                }
                else
                {
                    TensorPrimitives.Add(values, residual, span);
                    RequireFinite(update[t].Name, span);
                }

                names[t] = Encoding.UTF8.GetBytes(update[t].Name);
            }

            var segments = new ReadOnlyMemory<float>[update.Count];
            for (var t = 0; t < update.Count; t++)
            {
                segments[t] = accumulated[t].AsMemory(0, update[t].Values.Length);
            }

            Prepare(segments);
            for (var t = 0; t < update.Count; t++)
            {
                var start = payload.Length;
                EncodeTensor(t, accumulated[t].AsMemory(0, update[t].Values.Length), payload, ref entries[t]);
                entries[t].PayloadOffset = start;
                entries[t].PayloadLength = payload.Length - start;
            }

            var frame = WriteFrame(update, names, entries, payload.Written, useResidual);
            if (useResidual)
            {
                for (var t = 0; t < update.Count; t++)
                {
                    state!.Commit(update[t].Spec, accumulated[t].AsSpan(0, update[t].Values.Length));
                }

                state!.CompleteRound();
            }

            return frame;
        }
        finally
        {
            foreach (var a in accumulated)
            {
                if (a is not null)
                {
                    ArrayPool<float>.Shared.Return(a);
                }
            }
        }
    }

    /// <summary>Called once with every tensor's A before <see cref="EncodeTensor"/> (global selection).</summary>
    internal virtual void Prepare(IReadOnlyList<ReadOnlyMemory<float>> accumulated)
    {
    }

    /// <summary>
    /// Appends tensor <paramref name="index"/>'s payload and fills its table entry (P, A, B, Count,
    /// RiceParameter); replaces <paramref name="accumulated"/> with A minus what the decoder will reconstruct.
    /// </summary>
    internal abstract void EncodeTensor(int index, Memory<float> accumulated, PayloadBuffer payload, ref TensorEntry entry);

    /// <summary>Payload capacity to start with.</summary>
    protected virtual int EstimatePayload(IReadOnlyList<UpdateTensor> update) => 4096;

    private static void Validate(IReadOnlyList<UpdateTensor> update)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tensor in update)
        {
            ArgumentNullException.ThrowIfNull(tensor);
            var spec = tensor.Spec;
            if (string.IsNullOrEmpty(spec.Name) || Encoding.UTF8.GetByteCount(spec.Name) > 255 || !seen.Add(spec.Name))
            {
                throw new ArgumentException($"tensor names must be unique, non-empty and at most 255 UTF-8 bytes ('{spec.Name}')", nameof(update));
            }

            if (spec.Shape.Length > 255 || spec.Shape.Any(d => d < 1))
            {
                throw new ArgumentException($"tensor '{spec.Name}' has an invalid shape", nameof(update));
            }

            if (spec.ElementCount != tensor.Values.Length)
            {
                throw new ArgumentException($"tensor '{spec.Name}' has {tensor.Values.Length} values for shape {spec}", nameof(update));
            }

            RequireFinite(spec.Name, tensor.Values.Span);
        }
    }

    private static void RequireFinite(string name, ReadOnlySpan<float> values)
    {
        if (values.IsEmpty || float.IsFinite(TensorPrimitives.MaxMagnitude(values)))
        {
            return;
        }

        for (var i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                throw new NonFiniteUpdateException(name, i, values[i]);
            }
        }
    }

    private byte[] WriteFrame(IReadOnlyList<UpdateTensor> update, byte[][] names, TensorEntry[] entries, ReadOnlySpan<byte> payload, bool errorFeedback)
    {
        long length = UpdateFormat.HeaderLength + UpdateFormat.CrcLength + payload.Length;
        long totalElements = 0;
        for (var t = 0; t < update.Count; t++)
        {
            length += UpdateFormat.EntryLength(names[t].Length, update[t].Spec.Shape.Length);
            totalElements += update[t].Values.Length;
        }

        if (length > Array.MaxLength)
        {
            throw new InvalidOperationException($"encoded update of {length} bytes is too large");
        }

        var frame = new byte[length];
        var span = frame.AsSpan();
        UpdateFormat.Magic.CopyTo(span);
        span[4] = UpdateFormat.Version;
        span[5] = (byte)Id;
        span[6] = (byte)((Options.Selection == SelectionScope.Global ? UpdateFormat.FlagGlobalSelection : 0)
            | (errorFeedback ? UpdateFormat.FlagErrorFeedback : 0));
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], (uint)update.Count);
        BinaryPrimitives.WriteUInt64LittleEndian(span[12..], (ulong)totalElements);
        var offset = UpdateFormat.HeaderLength;
        for (var t = 0; t < update.Count; t++)
        {
            ref readonly var e = ref entries[t];
            var shape = update[t].Spec.Shape;
            span[offset++] = (byte)names[t].Length;
            names[t].CopyTo(span[offset..]);
            offset += names[t].Length;
            span[offset++] = (byte)shape.Length;
            foreach (var d in shape)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(span[offset..], (uint)d);
                offset += 4;
            }

            BinaryPrimitives.WriteSingleLittleEndian(span[offset..], e.P);
            BinaryPrimitives.WriteSingleLittleEndian(span[(offset + 4)..], e.A);
            BinaryPrimitives.WriteSingleLittleEndian(span[(offset + 8)..], e.B);
            BinaryPrimitives.WriteUInt32LittleEndian(span[(offset + 12)..], (uint)e.Count);
            span[offset + 16] = e.RiceParameter;
            BinaryPrimitives.WriteUInt32LittleEndian(span[(offset + 17)..], (uint)e.PayloadLength);
            offset += 21;
        }

        payload.CopyTo(span[offset..]);
        offset += payload.Length;
        BinaryPrimitives.WriteUInt32LittleEndian(span[offset..], Crc32.HashToUInt32(span[..offset]));
        return frame;
    }
}
