using System.Security.Cryptography;

namespace FogLens.Federated;

/// <summary>
/// Gaussian noise for <see cref="AggregationOptions.NoiseMultiplier"/>: Box–Muller over uniform doubles drawn from the
/// operating system's cryptographic generator, or from a seeded <see cref="Random"/> where a run must be reproducible
/// (the experiment harness). A seeded source gives no privacy against someone who knows the seed.
/// </summary>
public sealed class GaussianNoise(Random? seeded = null)
{
    private readonly byte[] _buffer = new byte[8 * 1024];
    private int _used = 8 * 1024;

    /// <summary>destination[i] += N(0, standardDeviation²) for every element.</summary>
    public void AddTo(Span<float> destination, double standardDeviation)
    {
        for (var i = 0; i < destination.Length; i += 2)
        {
            // Box–Muller: two independent normals from two uniforms, u1 in (0, 1] so the logarithm is finite.
            var u1 = 1 - Uniform();
            var u2 = Uniform();
            var r = Math.Sqrt(-2 * Math.Log(u1)) * standardDeviation;
            destination[i] += (float)(r * Math.Cos(2 * Math.PI * u2));
            if (i + 1 < destination.Length)
            {
                destination[i + 1] += (float)(r * Math.Sin(2 * Math.PI * u2));
            }
        }
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    private double Uniform()
    {
        if (seeded is not null)
        {
            return seeded.NextDouble();
        }

        if (_used == _buffer.Length)
        {
            RandomNumberGenerator.Fill(_buffer);
            _used = 0;
        }

        var bits = BitConverter.ToUInt64(_buffer, _used) >> 11;
        _used += 8;
        return bits * (1.0 / (1UL << 53));
    }
}
