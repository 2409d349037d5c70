using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using FogLens.Compression;

namespace FogLens.Federated;

/// <summary>
/// Downstream compression (after Sparse Ternary Compression, Sattler et al. 2019, which compresses both directions):
/// the server keeps, beside the true global model W, the model B that the fogs hold, and sends each new version as a
/// compressed delta Δ = codec(W − B); both sides then apply it, B ← B + decode(Δ). The server-side residual is
/// W − B itself: what a delta leaves out is still in the next W − B, so nothing is lost, only late. Fogs train on B
/// and their updates are added to W. Deltas are applied additively to every tensor (no exponentials: the fog and the
/// server must compute bit-identical B on any CPU, which <see cref="Fingerprint"/> checks) and running variances
/// are floored at <see cref="UpdateSpace.MinimumVariance"/>.
/// </summary>
public static class ModelBroadcast
{
    /// <summary>
    /// The delta that takes <paramref name="held"/> towards <paramref name="target"/> and the state both sides hold after
    /// it. With <paramref name="maxGap"/> &gt; 0 the budget adapts: the sparsity is raised tenfold (up to a dense delta)
    /// until the held model is within <paramref name="maxGap"/> of the target (‖W − B‖ / ‖W‖). A fixed 1 % was enough
    /// when only the classifier changes, and let the held model drift by 2.6 % in 10 rounds, and the model diverge, when
    /// every layer is fine-tuned (docs/federated-results.md).
    /// </summary>
    public static (byte[] Payload, ModelState Next) Encode(ModelState held, ModelState target, CodecId codec, CodecOptions options, double maxGap)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!(maxGap >= 0) || !double.IsFinite(maxGap))
        {
            throw new ArgumentOutOfRangeException(nameof(maxGap), maxGap, "the gap bound must be a finite number ≥ 0");
        }

        var difference = Difference(held, target);
        var sparsity = options.Sparsity;
        while (true)
        {
            // At full density a dense delta is smaller than top-k's positions and values.
            var (payload, next) = EncodeDifference(held, difference, sparsity >= 1 ? CodecId.Dense : codec, options with { Sparsity = sparsity });
            if (maxGap == 0 || sparsity >= 1 || Gap(target, next) <= maxGap)
            {
                return (payload, next);
            }

            sparsity = Math.Min(1, sparsity * 10);
        }
    }

    /// <summary>‖W − B‖ / ‖W‖: how far the held model <paramref name="held"/> is from <paramref name="target"/>.</summary>
    public static double Gap(ModelState target, ModelState held)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(held);
        double difference = 0, norm = 0;
        for (var t = 0; t < target.Values.Count; t++)
        {
            var w = target.Values[t];
            var b = held.Values[t];
            for (var i = 0; i < w.Length; i++)
            {
                var d = (double)w[i] - b[i];
                difference += d * d;
                norm += (double)w[i] * w[i];
            }
        }

        return norm == 0 ? 0 : Math.Sqrt(difference / norm);
    }

    /// <summary>The delta that takes <paramref name="held"/> towards <paramref name="target"/> and the state both sides hold after it.</summary>
    public static (byte[] Payload, ModelState Next) Encode(ModelState held, ModelState target, CodecId codec, CodecOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return EncodeDifference(held, Difference(held, target), codec, options);
    }

    /// <summary>W − B per tensor (the codecs copy it before encoding, so one difference serves several encodes).</summary>
    private static List<UpdateTensor> Difference(ModelState held, ModelState target)
    {
        ArgumentNullException.ThrowIfNull(held);
        ArgumentNullException.ThrowIfNull(target);
        if (held.Specs.Count != target.Specs.Count)
        {
            throw new ArgumentException("held and target states have different tensors", nameof(target));
        }

        var delta = new List<UpdateTensor>(held.Specs.Count);
        for (var t = 0; t < held.Specs.Count; t++)
        {
            if (!held.Specs[t].Matches(target.Specs[t]))
            {
                throw new ArgumentException($"tensor {t} is {held.Specs[t]} in the held state and {target.Specs[t]} in the target", nameof(target));
            }

            var d = new float[held.Values[t].Length];
            System.Numerics.Tensors.TensorPrimitives.Subtract(target.Values[t], held.Values[t], d);
            delta.Add(new UpdateTensor(held.Specs[t], d));
        }

        return delta;
    }

    private static (byte[] Payload, ModelState Next) EncodeDifference(ModelState held, List<UpdateTensor> difference, CodecId codec, CodecOptions options)
    {
        // No codec state: the residual is W − B, recomputed from the two models every time.
        var payload = UpdateCodecs.Create(codec, options with { ErrorFeedback = false, Momentum = 0, ClipNorm = 0, WarmupRounds = 0 }).Encode(difference, state: null);
        return (payload, Apply(held, payload));
    }

    /// <summary>Applies a delta to <paramref name="held"/> (unchanged) and returns the new state; a corrupt or mismatched delta throws <see cref="CorruptUpdateException"/>.</summary>
    public static ModelState Apply(ModelState held, ReadOnlySpan<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(held);
        var decoded = UpdateDecoder.Decode(payload, new DecodeLimits { MaxElements = held.ElementCount, MaxPayloadBytes = (int)Math.Min(int.MaxValue, (held.ElementCount * 5) + (1 << 20)) }, held.Specs);
        if (decoded.Tensors.Count != held.Specs.Count)
        {
            throw new CorruptUpdateException(CorruptUpdateReason.ShapeMismatch, $"delta has {decoded.Tensors.Count} tensors, the model {held.Specs.Count}");
        }

        var next = held.Clone();
        for (var t = 0; t < decoded.Tensors.Count; t++)
        {
            var values = next.Values[t];
            decoded.Tensors[t].AddTo(values, 1f);
            if (UpdateSpace.IsLogScale(held.Specs[t].Name))
            {
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = MathF.Max(values[i], UpdateSpace.MinimumVariance);
                }
            }
        }

        return next;
    }

    /// <summary>
    /// SHA-256 (lower-case hex) over the tensors' names, shapes and float32 bits in order: equal exactly when two
    /// states are bit-identical, whatever file format they were stored in.
    /// </summary>
    public static string Fingerprint(ModelState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> number = stackalloc byte[4];
        for (var t = 0; t < state.Specs.Count; t++)
        {
            var spec = state.Specs[t];
            hash.AppendData(Encoding.UTF8.GetBytes(spec.Name));
            foreach (var d in spec.Shape)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(number, d);
                hash.AppendData(number);
            }

            if (BitConverter.IsLittleEndian)
            {
                hash.AppendData(MemoryMarshal.AsBytes(state.Values[t].AsSpan()));
            }
            else
            {
                foreach (var v in state.Values[t])
                {
                    System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(number, v);
                    hash.AppendData(number);
                }
            }
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
