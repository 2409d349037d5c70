using System.Numerics.Tensors;

namespace FogLens.Federated;

/// <summary>
/// How each tensor's update is expressed. Weights, biases and BatchNorm running means change additively:
/// Δ = new − old, applied as old + Δ. BatchNorm running variances are scale parameters: Δ = ln(new) − ln(old),
/// applied as old · e^Δ. A compressed update of a variance then changes it by a factor and can neither make
/// it negative nor collapse it: with additive deltas, SBC (one mean per sign and tensor) drove small
/// variances to the floor and the model diverged when training from a weak start (see
/// docs/federated-results-weak-start.md). Fogs compute updates and the server applies them through here.
/// </summary>
public static class UpdateSpace
{
    /// <summary>Smallest variance the log transform sees (and the floor after applying an update).</summary>
    public const float MinimumVariance = 1e-5f;

    public static bool IsLogScale(string tensorName) => tensorName.EndsWith("running_var", StringComparison.Ordinal);

    /// <summary>The update that takes <paramref name="before"/> to <paramref name="after"/>.</summary>
    public static void Delta(string tensorName, ReadOnlySpan<float> before, ReadOnlySpan<float> after, Span<float> delta)
    {
        if (!IsLogScale(tensorName))
        {
            TensorPrimitives.Subtract(after, before, delta);
            return;
        }

        for (var i = 0; i < delta.Length; i++)
        {
            delta[i] = MathF.Log(MathF.Max(after[i], MinimumVariance)) - MathF.Log(MathF.Max(before[i], MinimumVariance));
        }
    }

    /// <summary>Applies an (averaged) update to <paramref name="values"/> in place.</summary>
    public static void Apply(string tensorName, Span<float> values, ReadOnlySpan<float> delta)
    {
        if (!IsLogScale(tensorName))
        {
            TensorPrimitives.Add(values, delta, values);
            return;
        }

        for (var i = 0; i < values.Length; i++)
        {
            values[i] = MathF.Max(MathF.Max(values[i], MinimumVariance) * MathF.Exp(delta[i]), MinimumVariance);
        }
    }
}
