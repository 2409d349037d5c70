using FogLens.AgeModel.Training;

namespace FogLens.AgeModel.Tests;

public sealed class MixupTests
{
    [Theory]
    [InlineData(1.0)] // uniform: variance 1/12
    [InlineData(0.2)] // mass near 0 and 1: variance 0.04 / (0.16 · 1.4)
    [InlineData(2.5)]
    public void SampleLambda_HasTheMeanAndVarianceOfBetaAlphaAlpha(double alpha)
    {
        var rng = new Random(3);
        var draws = Enumerable.Range(0, 40_000).Select(_ => Mixup.SampleLambda(rng, alpha)).ToList();

        var mean = draws.Average();
        var variance = draws.Sum(d => (d - mean) * (d - mean)) / (draws.Count - 1);
        var expected = 1 / (4 * ((2 * alpha) + 1));
        Assert.All(draws, d => Assert.InRange(d, 0, 1));
        Assert.InRange(mean, 0.49, 0.51);
        Assert.InRange(variance, expected * 0.95, expected * 1.05);
    }

    [Fact]
    public void Mix_BlendsEveryArrayWithThePartnerRowBeforeMixing()
    {
        float[] inputs = [1, 2, 10, 20, 100, 200];
        float[] targets = [1, 0, 0, 1, 0.5f, 0.5f];
        float[] ages = [10, 30, 50];
        float[] weights = [1, 2, 3];

        Mixup.Mix(inputs, 2, targets, 2, ages, weights, 3, 0.75, [1, 2, 0], new float[6]);

        Assert.Equal([(0.75f * 1) + (0.25f * 10), (0.75f * 2) + (0.25f * 20), (0.75f * 10) + (0.25f * 100), (0.75f * 20) + (0.25f * 200), (0.75f * 100) + (0.25f * 1), (0.75f * 200) + (0.25f * 2)], inputs);
        Assert.Equal([0.75f, 0.25f, 0.125f, 0.875f, 0.625f, 0.375f], targets);
        Assert.Equal([15f, 35f, 40f], ages);
        Assert.Equal([1.25f, 2.25f, 2.5f], weights);
    }

    [Fact]
    public void Mix_ArraysShorterThanTheBatch_Throws() =>
        Assert.Throws<ArgumentException>(() => Mixup.Mix(new float[4], 2, new float[6], 2, new float[3], new float[3], 3, 0.5, [0, 1, 2], new float[6]));

    [Fact]
    public void SampleLambda_NonPositiveAlpha_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Mixup.SampleLambda(new Random(1), 0));
}
