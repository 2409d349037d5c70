using TorchSharp;
using static TorchSharp.torch;

namespace FogLens.AgeModel.Training;

/// <summary>
/// Fake quantisation for noise-aware training: values are rounded to the integer grid the int8 ONNX graph
/// uses and mapped back to float, with straight-through gradients (y = x + (q(x) − x) detached).
/// The grid is the exporter's: uint8 activations (ReLU outputs from 0, the input around 128) and symmetric
/// per-channel weights of ±<see cref="WeightLevels"/> (7 bits: x86 without VNNI multiplies uint8 × int8
/// pairs into saturating int16, which 7-bit weights never overflow; ONNX Runtime's "reduce range").
/// </summary>
public static class FakeQuant
{
    /// <summary>Largest weight magnitude on the integer grid.</summary>
    public const int WeightLevels = 63;

    /// <summary>Levels above zero of a ReLU output (uint8, zero point 0).</summary>
    public const int ActivationLevels = 255;

    /// <summary>Levels on either side of zero of the input (uint8, zero point 128).</summary>
    public const int InputLevels = 127;

    /// <summary>Zero point of the input's uint8 grid.</summary>
    public const int InputZeroPoint = 128;

    /// <summary>Per-tensor uint8 fake quantisation with <paramref name="scale"/> and <paramref name="zeroPoint"/>.</summary>
    public static Tensor Activation(Tensor x, float scale, int zeroPoint)
    {
        ArgumentNullException.ThrowIfNull(x);
        using var scope = NewDisposeScope();

        // Explicit, disposed Scalars, also for add's alpha: TorchSharp's implicit conversions can be finalized by the
        // GC during the native call ("Unknown scalar type" after some hundred steps; see AgeNet.BatchNorm).
        using var s = scale.ToScalar();
        using var zero = ((float)zeroPoint).ToScalar();
        using var low = 0f.ToScalar();
        using var high = 255f.ToScalar();
        using var one = 1f.ToScalar();
        var q = x.div(s).round().add(zero).clamp(low, high).sub(zero).mul(s);
        return x.add((q - x).detach(), one).MoveToOuterDisposeScope();
    }

    /// <summary>Symmetric per-output-channel fake quantisation of conv weights [out, in, kh, kw].</summary>
    public static Tensor WeightsPerChannel(Tensor w)
    {
        ArgumentNullException.ThrowIfNull(w);
        using var scope = NewDisposeScope();
        using var tiny = 1e-12f.ToScalar();
        using var low = (-(float)WeightLevels).ToScalar();
        using var high = ((float)WeightLevels).ToScalar();
        var scale = w.detach().abs().amax([1, 2, 3], keepdim: true).clamp_min(tiny).div(high);
        using var one = 1f.ToScalar();
        var q = w.div(scale).round().clamp(low, high).mul(scale);
        return w.add((q - w).detach(), one).MoveToOuterDisposeScope();
    }
}
