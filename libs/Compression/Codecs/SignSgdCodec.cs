using System.Numerics.Tensors;
using FogLens.Compression.Wire;

namespace FogLens.Compression.Codecs;

/// <summary>
/// signSGD with scale (1 bit per parameter): each value becomes ±s with s = mean |A| of its tensor;
/// with error feedback this is EF-signSGD (Karimireddy et al. 2019). Bit set = non-negative.
/// </summary>
public sealed class SignSgdCodec(CodecOptions options) : UpdateCodec(options)
{
    public SignSgdCodec()
        : this(new CodecOptions())
    {
    }

    public override CodecId Id => CodecId.SignSgd;

    internal override void EncodeTensor(int index, Memory<float> accumulated, PayloadBuffer payload, ref TensorEntry entry)
    {
        var a = accumulated.Span;
        var scale = a.IsEmpty ? 0f : TensorPrimitives.SumOfMagnitudes(a) / a.Length;
        var byteCount = (a.Length + 7) / 8;
        var bits = payload.GetSpan(byteCount);
        bits.Clear();
        for (var i = 0; i < a.Length; i++)
        {
            if (a[i] >= 0)
            {
                bits[i >> 3] |= (byte)(1 << (i & 7));
                a[i] -= scale;
            }
            else
            {
                a[i] += scale;
            }
        }

        payload.Advance(byteCount);
        entry.P = 1f;
        entry.A = scale;
        entry.Count = a.Length;
    }
}
