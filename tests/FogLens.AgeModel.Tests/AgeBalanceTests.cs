using FogLens.AgeModel.Training;

namespace FogLens.AgeModel.Tests;

public sealed class AgeBalanceTests
{
    [Fact]
    public void Weights_RareAgesWeighMoreAndMeanOverFacesIsOne()
    {
        var ages = Enumerable.Repeat(1, 300).Concat(Enumerable.Repeat(30, 100)).Concat(Enumerable.Repeat(75, 10)).ToArray();

        var weights = AgeBalance.Weights(ages, 0.5);

        Assert.Equal(LabelDistribution.Bins, weights.Length);
        Assert.True(weights[75] > weights[30] && weights[30] > weights[1], $"{weights[1]} {weights[30]} {weights[75]}");
        Assert.Equal(1.0, ages.Average(a => weights[a]), 2);
        Assert.All(weights, w => Assert.InRange(w, 0f, (float)AgeBalance.MaxWeight));
    }

    [Fact]
    public void Weights_PowerZero_AreAllOne()
    {
        Assert.All(AgeBalance.Weights([1, 2, 2, 50], 0), w => Assert.Equal(1f, w));
        Assert.Throws<ArgumentOutOfRangeException>(() => AgeBalance.Weights([1], -1));
    }
}
