using FogLens.AgeModel.Training;

namespace FogLens.AgeModel.Tests;

public sealed class PriorCorrectionTests
{
    [Fact]
    public void Adjust_WithFullStrength_UndoesThePrior()
    {
        var ages = Enumerable.Repeat(2, 500).Concat(Enumerable.Range(0, 101)).ToArray();
        var prior = AgeBalance.Prior(ages);
        var predicted = prior.Select(p => (float)p).ToArray(); // a network that only learned the prior

        PriorCorrection.Adjust(predicted, PriorCorrection.Offsets(prior, 1.0));

        Assert.Equal(1.0, predicted.Sum(), 4);
        Assert.All(predicted, p => Assert.Equal(1.0 / LabelDistribution.Bins, p, 4));
        Assert.Equal(1.0, prior.Sum(), 6);
    }

    [Fact]
    public void Offsets_WithZeroStrength_ChangeNothing()
    {
        var prior = AgeBalance.Prior([5, 30, 30, 70]);
        Assert.All(PriorCorrection.Offsets(prior, 0), o => Assert.Equal(0f, o));
        Assert.Throws<ArgumentException>(() => PriorCorrection.Offsets([0.5, 0.5], 1));
    }
}
