using FogLens.AgeModel;

namespace FogLens.AgeModel.Tests;

public sealed class LabelDistributionTests
{
    [Theory]
    [InlineData(0, 2.5)]
    [InlineData(35, 2.0)]
    [InlineData(100, 3.0)]
    public void Gaussian_IsNormalisedAndPeaksAtAge(int age, double sigma)
    {
        var d = new float[LabelDistribution.Bins];
        LabelDistribution.Gaussian(age, sigma, d);
        Assert.Equal(1.0, d.Sum(), 4);
        Assert.Equal(age, Array.IndexOf(d, d.Max()));
    }

    [Fact]
    public void ExpectedAge_OfInteriorGaussian_IsTheAge()
    {
        var d = new float[LabelDistribution.Bins];
        LabelDistribution.Gaussian(42, 2.5, d);
        Assert.Equal(42, LabelDistribution.ExpectedAge(d), 3);
    }

    [Fact]
    public void Clamp_AgesAboveHundred_GoToLastBin()
    {
        Assert.Equal(100, LabelDistribution.Clamp(116));
        Assert.Equal(0, LabelDistribution.Clamp(-3));
        var d = new float[LabelDistribution.Bins];
        LabelDistribution.Gaussian(116, 2, d);
        Assert.Equal(100, Array.IndexOf(d, d.Max()));
    }

    [Fact]
    public void KlDivergence_IsZeroForEqualAndPositiveOtherwise()
    {
        var a = new float[LabelDistribution.Bins];
        var b = new float[LabelDistribution.Bins];
        LabelDistribution.Gaussian(30, 2, a);
        LabelDistribution.Gaussian(34, 2, b);
        Assert.Equal(0, LabelDistribution.KlDivergence(a, a), 6);
        Assert.True(LabelDistribution.KlDivergence(a, b) > 1);
    }

    [Fact]
    public void Gaussian_RejectsWrongLengthOrSigma()
    {
        Assert.Throws<ArgumentException>(() => LabelDistribution.Gaussian(3, 2, new float[10]));
        Assert.Throws<ArgumentOutOfRangeException>(() => LabelDistribution.Gaussian(3, 0, new float[LabelDistribution.Bins]));
    }

    [Fact]
    public void Gaussian_AtAgeZero_HasExpectationAboveZero()
    {
        // The boundary bias that RangeAware removes: a fixed-sigma Gaussian cut at 0 moves the expectation up.
        var d = new float[LabelDistribution.Bins];
        LabelDistribution.Gaussian(0, 2.5, d);
        Assert.True(LabelDistribution.ExpectedAge(d) > 1.5);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(37)]
    [InlineData(97)]
    [InlineData(100)]
    public void RangeAware_ExpectationIsTheAgeAndMassStaysNearIt(int age)
    {
        var d = new float[LabelDistribution.Bins];
        LabelDistribution.RangeAware(age, 2.5, d);

        Assert.Equal(1.0, d.Sum(), 4);
        Assert.Equal(age, LabelDistribution.ExpectedAge(d), 2);
        Assert.Equal(age, Array.IndexOf(d, d.Max()));
    }

    [Fact]
    public void RangeAwareSigma_ShrinksOnlyNearTheEnds()
    {
        Assert.Equal(LabelDistribution.MinSigma, LabelDistribution.RangeAwareSigma(0, 2.5));
        Assert.Equal(1.0, LabelDistribution.RangeAwareSigma(2, 2.5));
        Assert.Equal(2.5, LabelDistribution.RangeAwareSigma(30, 2.5));
        Assert.Equal(1.5, LabelDistribution.RangeAwareSigma(97, 2.5));
        var interior = new float[LabelDistribution.Bins];
        var gaussian = new float[LabelDistribution.Bins];
        LabelDistribution.Target(LabelShape.RangeAware, 40, 2.5, interior);
        LabelDistribution.Gaussian(40, 2.5, gaussian);
        Assert.Equal(0, LabelDistribution.KlDivergence(gaussian, interior), 6);
    }
}
