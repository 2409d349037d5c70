using System.Numerics.Tensors;
using FogLens.Compression;

namespace FogLens.Federated.Experiments;

/// <summary>
/// What a malicious fog sends instead of its honest ΔW (it trains honestly first, so it knows what honest looks like):
/// <c>scale</c> ×50, <c>signflip</c> ×−4, <c>noise</c> Gaussian noise with 10× the update's RMS per element, and
/// <c>claim-samples</c> the sign-flipped update claiming <see cref="int.MaxValue"/> samples.
/// </summary>
public static class ByzantineAttack
{
    public const string None = "none";

    public static IReadOnlyList<string> Names { get; } = [None, "scale", "signflip", "noise", "claim-samples"];

    /// <summary>The sample count the attacker claims.</summary>
    public static int ClaimedSamples(string attack, int honest) => attack == "claim-samples" ? int.MaxValue : honest;

    public static UpdateTensor[] Apply(IReadOnlyList<UpdateTensor> update, string attack, Random random)
    {
        ArgumentNullException.ThrowIfNull(update);
        ArgumentNullException.ThrowIfNull(random);
        return [.. update.Select(t =>
        {
            var values = t.Values.ToArray();
            switch (attack)
            {
                case "scale":
                    TensorPrimitives.Multiply(values, 50f, values);
                    break;
                case "signflip":
                    TensorPrimitives.Multiply(values, -4f, values);
                    break;
                case "claim-samples":
                    TensorPrimitives.Negate(values, values);
                    break;
                case "noise":
                    var rms = values.Length == 0 ? 0 : TensorPrimitives.Norm(values) / MathF.Sqrt(values.Length);
                    for (var i = 0; i < values.Length; i++)
                    {
                        values[i] = 10 * rms * Gaussian(random);
                    }

                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(attack), attack, "unknown attack");
            }

            return t with { Values = values };
        })];
    }

    private static float Gaussian(Random random) =>
        (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
}
