using FogLens.Compression;

namespace FogLens.Federated.Tests;

/// <summary>DP-FedAvg: the accountant's numbers and the accumulator's clipping, unit weights and noise.</summary>
public sealed class DifferentialPrivacyTests
{
    private const double Delta = 1e-5;

    [Theory]
    [InlineData(1.0)]
    [InlineData(2.2)]
    [InlineData(15.0)]
    public void OneRound_MatchesTheClosedFormOfTheGaussianMechanismsRdpBound(double z)
    {
        // min over α of α/(2z²) + ln(1/δ)/(α−1) is reached at α = 1 + z·√(2 ln(1/δ)): ε = 1/(2z²) + √(2 ln(1/δ))/z.
        var expected = (1 / (2 * z * z)) + (Math.Sqrt(2 * Math.Log(1 / Delta)) / z);
        Assert.Equal(expected, PrivacyAccountant.Epsilon(z, 1, Delta), expected * 0.005);
    }

    [Fact]
    public void Rounds_ComposeAdditivelyInRdp_AndTheInverseFindsTheNoise()
    {
        // T rounds at z spend what one round at z/√T does (RDP adds up: T/(2z²)).
        Assert.Equal(PrivacyAccountant.Epsilon(3 / Math.Sqrt(10), 1, Delta), PrivacyAccountant.Epsilon(3, 10, Delta), 1e-9);
        Assert.True(PrivacyAccountant.Epsilon(3, 11, Delta) > PrivacyAccountant.Epsilon(3, 10, Delta));
        Assert.True(PrivacyAccountant.Epsilon(4, 10, Delta) < PrivacyAccountant.Epsilon(3, 10, Delta));
        Assert.Equal(0, PrivacyAccountant.Epsilon([], Delta));
        foreach (var epsilon in (double[])[1, 4, 8])
        {
            var z = PrivacyAccountant.NoiseMultiplierFor(epsilon, 10, Delta);
            Assert.InRange(PrivacyAccountant.Epsilon(z, 10, Delta), epsilon * 0.99, epsilon);
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => PrivacyAccountant.Epsilon([0.0], Delta));
        Assert.Throws<ArgumentOutOfRangeException>(() => PrivacyAccountant.Epsilon(1, 1, 0));
    }

    private static readonly TensorSpec[] Specs = [new("_convs.0.weight", [100, 100]), new("_head.weight", [200, 100])];

    private static ModelState Global() => new(Specs, [new float[10_000], new float[20_000]]);

    private static DecodedUpdate Update(float conv, float head) =>
        UpdateDecoder.Decode(UpdateCodecs.Create(CodecId.Dense).Encode([new UpdateTensor(Specs[0], Enumerable.Repeat(conv, 10_000).ToArray()), new UpdateTensor(Specs[1], Enumerable.Repeat(head, 20_000).ToArray())], null));

    [Fact]
    public void PrivateMean_ClipsWeighsEveryFogOnce_NoisesOnlyTrainedTensors_AndDrawsTheNoiseOnce()
    {
        var options = new AggregationOptions { ClipNorm = 1, NoiseMultiplier = 0.01 };
        var accumulator = new UpdateAccumulator(Global(), options, name => name.StartsWith("_head.", StringComparison.Ordinal), new GaussianNoise(new Random(7)));
        accumulator.Add(Update(0, 0.01f), sampleCount: 900); // norm √(20,000)·0.01 ≈ 1.41: clipped to 1
        accumulator.Add(Update(0, -0.001f), sampleCount: 100); // norm 0.14: not clipped
        var mean = accumulator.MeanUpdate();

        Assert.All(mean[0], v => Assert.Equal(0, v)); // frozen: no noise, nothing added
        // Without noise the head's mean is (0.01/1.414 − 0.001) / 2 = 0.0030 per coordinate: unit weights, not 900 : 100.
        var clean = ((0.01 / Math.Sqrt(2)) - 0.001) / 2;
        var noise = mean[1].Select(v => v - clean).ToArray();
        var std = Math.Sqrt(noise.Sum(x => x * x) / noise.Length);
        Assert.Equal(0.01 * 1 / 2.0, std, 0.0001); // z·S / n
        Assert.Equal(0, noise.Average(), 0.0002); // the clean mean is the unit-weight one (sample-weighted would be 0.0063)
        Assert.Equal(mean[1], accumulator.MeanUpdate()[1]); // one draw per round, however often it is asked for
        Assert.Throws<InvalidOperationException>(() => accumulator.Add(Update(0, 0.001f), 10));
    }

    [Fact]
    public void PrivateRound_RefusesAnUpdateToAFrozenTensor_AndRobustRulesCannotBePrivate()
    {
        var accumulator = new UpdateAccumulator(Global(), new AggregationOptions { ClipNorm = 1, NoiseMultiplier = 1 }, name => name.StartsWith("_head.", StringComparison.Ordinal));
        var refused = Assert.Throws<RejectedUpdateException>(() => accumulator.Add(Update(0.001f, 0.001f), 10));
        Assert.Contains("_convs.0.weight", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, accumulator.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => new UpdateAccumulator(Global(), new AggregationOptions { NoiseMultiplier = 1, Rule = AggregationRule.TrimmedMean }));
    }
}
