using TorchSharp;
using static TorchSharp.torch;

namespace FogLens.AgeModel.Training;

/// <summary>
/// Post-hoc logit adjustment against the training data's age prior (Menon et al., "Long-tail learning via
/// logit adjustment", ICLR 2021): logits − τ·log prior(age). A network trained on data where old faces are rare
/// pulls uncertain faces towards the common ages; τ = 1 removes the prior entirely, 0 leaves the network as
/// trained. Because the adjustment is a constant per age bin it goes into the classifier's bias, so the exported
/// graph and the fog need no change.
/// </summary>
public static class PriorCorrection
{
    /// <summary>Per-age logit offsets −τ·log prior, centred to mean 0 (softmax ignores a common shift).</summary>
    public static float[] Offsets(IReadOnlyList<double> prior, double tau)
    {
        ArgumentNullException.ThrowIfNull(prior);
        if (prior.Count != LabelDistribution.Bins || prior.Any(p => !(p > 0)))
        {
            throw new ArgumentException($"prior must hold {LabelDistribution.Bins} positive values", nameof(prior));
        }

        var raw = prior.Select(p => -tau * Math.Log(p)).ToArray();
        var mean = raw.Average();
        return [.. raw.Select(r => (float)(r - mean))];
    }

    /// <summary>Applies the offsets to a predicted distribution (in place) and renormalises it.</summary>
    public static void Adjust(Span<float> distribution, ReadOnlySpan<float> offsets)
    {
        if (distribution.Length != offsets.Length)
        {
            throw new ArgumentException("distribution and offsets differ in length", nameof(offsets));
        }

        double sum = 0;
        for (var k = 0; k < distribution.Length; k++)
        {
            distribution[k] = (float)(distribution[k] * Math.Exp(offsets[k]));
            sum += distribution[k];
        }

        for (var k = 0; k < distribution.Length; k++)
        {
            distribution[k] = (float)(distribution[k] / sum);
        }
    }

    /// <summary>Adds the offsets to the network's classifier bias.</summary>
    public static void Apply(AgeNet network, ReadOnlySpan<float> offsets)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (offsets.Length != LabelDistribution.Bins)
        {
            throw new ArgumentException($"expected {LabelDistribution.Bins} offsets", nameof(offsets));
        }

        using var noGrad = no_grad();
        using var delta = tensor(offsets.ToArray(), [LabelDistribution.Bins]);
        using var one = 1f.ToScalar();
        network.Head.bias!.add_(delta, one);
    }
}
