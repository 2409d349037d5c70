using System.Numerics.Tensors;
using FogLens.Compression.Wire;

namespace FogLens.Compression.Codecs;

/// <summary>
/// 8-bit uniform quantisation: q = round(255·(v − min)/(max − min)) per value, min and max per tensor;
/// error feedback keeps the rounding error.
/// </summary>
public sealed class Q8Codec(CodecOptions options) : UpdateCodec(options)
{
    public Q8Codec()
        : this(new CodecOptions())
    {
    }

    public override CodecId Id => CodecId.Q8;

    internal override void EncodeTensor(int index, Memory<float> accumulated, PayloadBuffer payload, ref TensorEntry entry)
    {
        var a = accumulated.Span;
        var min = a.IsEmpty ? 0f : TensorPrimitives.Min(a);
        var max = a.IsEmpty ? 0f : TensorPrimitives.Max(a);
        var range = max - min;
        var q = payload.GetSpan(a.Length);
        var step = range / 255f;
        var inverse = range > 0 ? 255f / range : 0f;
        for (var i = 0; i < a.Length; i++)
        {
            var level = (byte)Math.Clamp(MathF.Round((a[i] - min) * inverse), 0f, 255f);
            q[i] = level;
            a[i] -= min + (level * step);
        }

        payload.Advance(a.Length);
        entry.P = 1f;
        entry.A = min;
        entry.B = max;
        entry.Count = a.Length;
    }
}
