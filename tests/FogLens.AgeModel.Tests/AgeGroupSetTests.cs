using FogLens.AgeModel;

namespace FogLens.AgeModel.Tests;

public sealed class AgeGroupSetTests
{
    [Theory]
    [InlineData(0, "0-2")]
    [InlineData(2.99, "0-2")]
    [InlineData(3, "3-9")]
    [InlineData(19.5, "10-19")]
    [InlineData(69.99, "60-69")]
    [InlineData(70, "70+")]
    [InlineData(100, "70+")]
    public void IndexOf_PutsAgesInTheirGroup(double age, string label) =>
        Assert.Equal(label, AgeGroupSet.Default.Groups[AgeGroupSet.Default.IndexOf(age)].Label);

    [Fact]
    public void GroupProbabilities_SumTheDistribution()
    {
        var d = new float[LabelDistribution.Bins];
        LabelDistribution.Gaussian(30, 3, d);
        var groups = new float[AgeGroupSet.Default.Count];
        AgeGroupSet.Default.GroupProbabilities(d, groups);
        Assert.Equal(1.0, groups.Sum(), 4);
        Assert.True(groups[3] > 0.3 && groups[4] > 0.3, "mass around 30 splits between 20-29 and 30-39");
    }

    [Theory]
    [InlineData("0-9,10-19")]
    [InlineData("1-9,10+")]
    [InlineData("0-9,12+")]
    [InlineData("0-9,10+,20+")]
    [InlineData("zero-nine")]
    public void Parse_RejectsNonContiguousOrBadSpecs(string spec) =>
        Assert.ThrowsAny<Exception>(() => AgeGroupSet.Parse(spec));

    [Fact]
    public void Parse_RoundTripsDefault() =>
        Assert.Equal("0-2,3-9,10-19,20-29,30-39,40-49,50-59,60-69,70+", AgeGroupSet.Parse(AgeGroupSet.Default.ToString()).ToString());
}
