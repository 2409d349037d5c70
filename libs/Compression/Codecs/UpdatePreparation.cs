using System.Numerics.Tensors;
using System.Text;

namespace FogLens.Compression.Codecs;

/// <summary>
/// What a client does to ΔW before a codec selects from it, and the state it keeps between rounds: input checks,
/// DGC local clipping, momentum correction (velocity, with masking of what was sent), and error feedback
/// (A = ΔW + R formed in the residual itself). Every check runs before any state changes.
/// </summary>
internal static class UpdatePreparation
{
    /// <summary>DGC local clipping: ΔW scaled down to <see cref="CodecOptions.ClipNorm"/> (a copy; the input is not changed).</summary>
    public static IReadOnlyList<UpdateTensor> ClipLocally(IReadOnlyList<UpdateTensor> update, CodecOptions options)
    {
        if (options.ClipNorm <= 0)
        {
            return update;
        }

        double squares = 0;
        foreach (var u in update)
        {
            var n = TensorPrimitives.Norm(u.Values.Span);
            squares += (double)n * n;
        }

        var norm = Math.Sqrt(squares);
        if (norm <= options.ClipNorm)
        {
            return update;
        }

        var scale = (float)(options.ClipNorm / norm);
        var clipped = new UpdateTensor[update.Count];
        for (var t = 0; t < update.Count; t++)
        {
            var values = new float[update[t].Values.Length];
            TensorPrimitives.Multiply(update[t].Values.Span, scale, values);
            clipped[t] = update[t] with { Values = values };
        }

        return clipped;
    }

    /// <summary>DGC momentum correction: u' = m·u + ΔW per tensor (new arrays; the state's velocity changes only in <see cref="CommitVelocity"/>).</summary>
    public static UpdateTensor[] WithVelocity(IReadOnlyList<UpdateTensor> update, CodecState state, CodecOptions options)
    {
        var result = new UpdateTensor[update.Count];
        var m = (float)options.Momentum;
        for (var t = 0; t < update.Count; t++)
        {
            var values = new float[update[t].Values.Length];
            var velocity = options.IsStateTensor(update[t].Name) ? null : state.GetVelocity(update[t].Spec);
            if (velocity is null)
            {
                update[t].Values.Span.CopyTo(values);
            }
            else
            {
                TensorPrimitives.MultiplyAdd(velocity, m, update[t].Values.Span, values);
            }

            RequireFinite(update[t].Name, values);
            result[t] = update[t] with { Values = values };
        }

        return result;
    }

    /// <summary>Stores the new velocities, zeroed where values were sent when masking is on.</summary>
    public static void CommitVelocity(IReadOnlyList<UpdateTensor> velocities, CodecState state, CodecOptions options, int[]?[]? sent)
    {
        for (var t = 0; t < velocities.Count; t++)
        {
            var values = velocities[t].Values.ToArray();
            if (options.IsStateTensor(velocities[t].Name))
            {
                Array.Clear(values);
            }
            else if (sent is not null)
            {
                if (sent[t] is { } positions)
                {
                    foreach (var i in positions)
                    {
                        values[i] = 0f;
                    }
                }
                else
                {
                    Array.Clear(values);
                }
            }

            state.SetVelocity(velocities[t].Name, values);
        }

    }

    /// <summary>
    /// R ← R + ΔW for every tensor. Overflow is ruled out for all tensors before any residual changes
    /// (cheap bound max|R| + max|ΔW|, exact element check only when the bound is not enough), so a
    /// rejected update leaves the state exactly as it was.
    /// </summary>
    public static void FormInResiduals(IReadOnlyList<UpdateTensor> update, CodecState state, float[][] accumulated)
    {
        for (var t = 0; t < update.Count; t++)
        {
            var residual = state.Get(update[t].Spec);
            if (residual is null)
            {
                continue;
            }

            var values = update[t].Values.Span;
            var bound = (double)TensorPrimitives.MaxMagnitude(residual) + TensorPrimitives.MaxMagnitude(values);
            if (bound < float.MaxValue)
            {
                continue;
            }

            for (var i = 0; i < values.Length; i++)
            {
                if (!float.IsFinite(residual[i] + values[i]))
                {
                    throw new NonFiniteUpdateException(update[t].Name, i, residual[i] + values[i]);
                }
            }
        }

        for (var t = 0; t < update.Count; t++)
        {
            accumulated[t] = state.Get(update[t].Spec) ?? state.Create(update[t].Spec);
        }

        Parallel.For(0, update.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, t =>
            TensorPrimitives.Add(accumulated[t], update[t].Values.Span, accumulated[t]));
    }

    public static void Validate(IReadOnlyList<UpdateTensor> update)
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

    public static void RequireFinite(string name, ReadOnlySpan<float> values)
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
}
