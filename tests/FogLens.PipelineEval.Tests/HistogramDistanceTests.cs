namespace FogLens.PipelineEval.Tests;

public sealed class HistogramDistanceTests
{
    [Fact]
    public void TotalVariation_ComparesShares_NotCounts()
    {
        // Truth 50/50; counted 30/10 = 75/25: a quarter of the mass is in the wrong group, whatever the totals.
        Assert.Equal(0.25, HistogramDistance.TotalVariation([10, 10], [30, 10]), 12);
        Assert.Equal(0.0, HistogramDistance.TotalVariation([1, 3], [100, 300]), 12);
        Assert.Equal(1.0, HistogramDistance.TotalVariation([5, 0], [0, 7]), 12);
    }

    [Fact]
    public void TotalVariation_NothingCounted_IsAsFarAsItGets()
    {
        Assert.Equal(1.0, HistogramDistance.TotalVariation([4, 2], [0, 0]));
        Assert.Equal(0.0, HistogramDistance.TotalVariation([0, 0], [0, 0]));
    }

    [Fact]
    public void TotalVariation_DifferentGroupCounts_Throws() =>
        Assert.Throws<ArgumentException>(() => HistogramDistance.TotalVariation([1, 2, 3], [1, 2]));
}
