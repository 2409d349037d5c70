using FogLens.Compression;

namespace FogLens.Compression.Tests;

/// <summary>Seeded random updates shaped like small CNNs.</summary>
internal static class RandomUpdates
{
    public static UpdateTensor[] Create(Random rng, int tensors, int maxElements)
    {
        var result = new UpdateTensor[tensors];
        for (var t = 0; t < tensors; t++)
        {
            int[] shape = rng.Next(3) switch
            {
                0 => [rng.Next(1, maxElements + 1)],
                1 => [rng.Next(1, 17), rng.Next(1, Math.Max(2, maxElements / 16))],
                _ => [rng.Next(1, 9), rng.Next(1, 5), 3, 3],
            };
            var n = (int)TensorSpec.ElementsOf(shape);
            var values = new float[n];
            var scale = (float)Math.Pow(10, rng.Next(-5, 1));
            for (var i = 0; i < n; i++)
            {
                values[i] = rng.Next(20) == 0 ? 0f : (float)(Gaussian(rng) * scale);
            }

            if (rng.Next(4) == 0 && n > 4)
            {
                // Ties at the selection boundary.
                for (var i = 0; i < n / 3; i++)
                {
                    values[rng.Next(n)] = scale;
                }
            }

            result[t] = new UpdateTensor($"layer{t}.weight", shape, values);
        }

        return result;
    }

    public static UpdateTensor[] Model(Random rng, long parameters, int tensors = 8)
    {
        var result = new UpdateTensor[tensors];
        var per = (int)(parameters / tensors);
        for (var t = 0; t < tensors; t++)
        {
            var values = new float[per];
            for (var i = 0; i < per; i++)
            {
                values[i] = (float)(Gaussian(rng) * 1e-3);
            }

            result[t] = new UpdateTensor($"stage{t}.conv.weight", [per], values);
        }

        return result;
    }

    public static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    public static TensorSpec[] Specs(IEnumerable<UpdateTensor> update) => [.. update.Select(u => u.Spec)];
}
