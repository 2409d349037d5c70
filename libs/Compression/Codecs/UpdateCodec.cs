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

    /// <summary>Whether tensors may be encoded concurrently (each into its own buffer).</summary>
    internal virtual bool EncodesInParallel => true;

    /// <summary>Whether this codec loses information (and so benefits from a residual).</summary>
    protected virtual bool IsLossy => true;

    /// <summary>Whether tensors of at most <see cref="CodecOptions.DenseMaxElements"/> elements are sent as float32 (sparse codecs).</summary>
    internal virtual bool SendsSmallTensorsDensely => false;

    /// <summary>Positions sent per tensor in the current encode (null entry: the whole tensor), for momentum-factor masking.</summary>
    private int[]?[]? _sent;

    /// <summary>Called by sparse codecs with the positions they sent of tensor <paramref name="index"/>.</summary>
    internal void ReportSent(int index, ReadOnlySpan<int> positions)
    {
        if (_sent is not null)
        {
            _sent[index] = positions.ToArray();
        }
    }

    public byte[] Encode(IReadOnlyList<UpdateTensor> update, CodecState? state)
    {
        ArgumentNullException.ThrowIfNull(update);
        UpdatePreparation.Validate(update);
        var useResidual = state is not null && Options.ErrorFeedback && IsLossy;
        update = UpdatePreparation.ClipLocally(update, Options);
        var useMomentum = useResidual && Options.Momentum > 0;
        if (useMomentum)
        {
            update = UpdatePreparation.WithVelocity(update, state!, Options);
            _sent = Options.MomentumMasking ? new int[]?[update.Count] : null;
        }

        var accumulated = new float[update.Count][];
        var pooled = new bool[update.Count];
        var names = new byte[update.Count][];
        var entries = new TensorEntry[update.Count];
        using var payload = new PayloadBuffer(EstimatePayload(update));
        try
        {
            // A = ΔW + R. With error feedback A is formed in the residual array itself, which the codec
            // then turns into the new residual in place (no scratch copy, no commit copy).
            if (useResidual)
            {
                UpdatePreparation.FormInResiduals(update, state!, accumulated);
            }
            else
            {
                for (var t = 0; t < update.Count; t++)
                {
                    var values = update[t].Values.Span;
                    accumulated[t] = ArrayPool<float>.Shared.Rent(values.Length);
                    pooled[t] = true;
                    values.CopyTo(accumulated[t]);
                }
            }

            var segments = new ReadOnlyMemory<float>[update.Count];
            for (var t = 0; t < update.Count; t++)
            {
                names[t] = Encoding.UTF8.GetBytes(update[t].Name);
                segments[t] = accumulated[t].AsMemory(0, update[t].Values.Length);
            }

            Prepare(segments);
            EncodeTensors(update, accumulated, entries, payload);
            if (useResidual)
            {
                for (var t = 0; t < update.Count; t++)
                {
                    if (Options.IsStateTensor(update[t].Name))
                    {
                        Array.Clear(accumulated[t]); // a state's unsent part is recomputed next round, not carried
                    }
                }
            }

            var frame = WriteFrame(update, names, entries, payload.Written, useResidual);
            if (useMomentum)
            {
                UpdatePreparation.CommitVelocity(update, state!, Options, _sent);
                _sent = null;
            }

            if (useResidual)
            {
                state!.CompleteRound();
            }

            return frame;
        }
        finally
        {
            for (var t = 0; t < accumulated.Length; t++)
            {
                if (pooled[t])
                {
                    ArrayPool<float>.Shared.Return(accumulated[t]);
                }
            }
        }
    }

    /// <summary>
    /// Encodes every tensor. Large updates are split over the cores: each tensor gets its own payload
    /// buffer, and the buffers are concatenated in tensor order, so the bytes do not depend on scheduling.
    /// </summary>
    private void EncodeTensors(IReadOnlyList<UpdateTensor> update, float[][] accumulated, TensorEntry[] entries, PayloadBuffer payload)
    {
        long total = 0;
        foreach (var u in update)
        {
            total += u.Values.Length;
        }

        if (!EncodesInParallel || update.Count == 1 || total < ParallelThreshold || Environment.ProcessorCount == 1)
        {
            for (var t = 0; t < update.Count; t++)
            {
                var start = payload.Length;
                EncodeOne(t, accumulated[t].AsMemory(0, update[t].Values.Length), payload, ref entries[t]);
                entries[t].PayloadOffset = start;
                entries[t].PayloadLength = payload.Length - start;
            }

            return;
        }

        var parts = new PayloadBuffer[update.Count];
        try
        {
            Parallel.For(0, update.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, t =>
            {
                parts[t] = new PayloadBuffer(4096);
                EncodeOne(t, accumulated[t].AsMemory(0, update[t].Values.Length), parts[t], ref entries[t]);
            });
            for (var t = 0; t < update.Count; t++)
            {
                entries[t].PayloadOffset = payload.Length;
                entries[t].PayloadLength = parts[t].Length;
                payload.Write(parts[t].Written);
            }
        }
        finally
        {
            foreach (var part in parts)
            {
                part?.Dispose();
            }
        }
    }

    /// <summary>A tensor with the codec, or densely when it is small and the options ask for it.</summary>
    private void EncodeOne(int index, Memory<float> accumulated, PayloadBuffer payload, ref TensorEntry entry)
    {
        if (!SendsSmallTensorsDensely || accumulated.Length > Options.DenseMaxElements || TensorPrimitives.MaxMagnitude(accumulated.Span) == 0)
        {
            // An all-zero tensor (a frozen layer) costs only its table entry with the codec.
            EncodeTensor(index, accumulated, payload, ref entry);
            return;
        }

        payload.WriteSingles(accumulated.Span);
        entry.P = 1f;
        entry.Count = accumulated.Length;
        entry.RiceParameter = UpdateFormat.DenseTensorMarker;
        accumulated.Span.Clear();
        if (_sent is not null)
        {
            _sent[index] = null; // all of it
        }
    }

    /// <summary>Updates smaller than this many parameters are encoded on one thread.</summary>
    private const long ParallelThreshold = 262_144;

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
