using System.Numerics.Tensors;

namespace FogLens.Compression;

/// <summary>
/// One decoded tensor: sparse (positions with a shared value μ for SBC, or per-position values for
/// top-k) or dense (dense, signSGD, Q8).
/// </summary>
public sealed class DecodedTensor
{
    internal DecodedTensor(TensorSpec spec, int[]? positions, float[]? values, float sharedValue)
    {
        Spec = spec;
        Positions = positions;
        Values = values;
        SharedValue = sharedValue;
    }

    public TensorSpec Spec { get; }

    /// <summary>Kept positions (ascending) for sparse codecs; null for dense ones.</summary>
    public int[]? Positions { get; }

    /// <summary>Values at <see cref="Positions"/> (top-k), or every value (dense codecs); null for SBC.</summary>
    public float[]? Values { get; }

    /// <summary>The value at every kept position for SBC (μ).</summary>
    public float SharedValue { get; }

    public bool IsSparse => Positions is not null;

    /// <summary>Non-zero entries sent (kept positions, or every element for dense codecs).</summary>
    public long SentCount => Positions?.LongLength ?? Spec.ElementCount;

    /// <summary>destination += scale · this tensor.</summary>
    public void AddTo(Span<float> destination, float scale)
    {
        if (destination.Length != Spec.ElementCount)
        {
            throw new ArgumentException($"destination has {destination.Length} elements, tensor {Spec} has {Spec.ElementCount}", nameof(destination));
        }

        if (Positions is null)
        {
            TensorPrimitives.MultiplyAdd(Values!, scale, destination, destination);
            return;
        }

        if (Values is null)
        {
            var v = SharedValue * scale;
            foreach (var i in Positions)
            {
                destination[i] += v;
            }

            return;
        }

        for (var j = 0; j < Positions.Length; j++)
        {
            destination[Positions[j]] += Values[j] * scale;
        }
    }

    /// <summary>The inner product of this tensor with a dense tensor of the same shape.</summary>
    public double Dot(ReadOnlySpan<float> dense)
    {
        if (dense.Length != Spec.ElementCount)
        {
            throw new ArgumentException($"dense has {dense.Length} elements, tensor {Spec} has {Spec.ElementCount}", nameof(dense));
        }

        if (Positions is null)
        {
            return TensorPrimitives.Dot(Values!, dense);
        }

        var sum = 0.0;
        if (Values is null)
        {
            foreach (var i in Positions)
            {
                sum += dense[i];
            }

            return sum * SharedValue;
        }

        for (var j = 0; j < Positions.Length; j++)
        {
            sum += (double)Values[j] * dense[Positions[j]];
        }

        return sum;
    }

    public float[] ToDense()
    {
        var dense = new float[Spec.ElementCount];
        AddTo(dense, 1f);
        return dense;
    }

    /// <summary>Squared L2 norm of the decoded tensor.</summary>
    public double SquaredNorm()
    {
        if (Positions is not null && Values is null)
        {
            return (double)SharedValue * SharedValue * Positions.Length;
        }

        var n = TensorPrimitives.Norm(Values!);
        return (double)n * n;
    }
}
