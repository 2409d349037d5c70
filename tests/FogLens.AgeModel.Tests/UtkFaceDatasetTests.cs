using FogLens.AgeModel.Data;
using FogLens.Tests.Shared;

namespace FogLens.AgeModel.Tests;

public sealed class UtkFaceDatasetTests
{
    [Theory]
    [InlineData("26_1_0_20170116171048641.jpg.chip.jpg", 26, 1, 0)]
    [InlineData("116_0_4_20170120134546567.jpg.chip.jpg", 116, 0, 4)]
    [InlineData("/data/1_0_2_20161219140530307.jpg", 1, 0, 2)]
    public void TryParse_ValidNames(string name, int age, int gender, int race)
    {
        var label = UtkFaceName.TryParse(name, out var problem);
        Assert.Null(problem);
        Assert.Equal(new UtkFaceLabel(age, gender, race), label);
    }

    [Theory]
    [InlineData("61_1_20170109142408075.jpg.chip.jpg", "4 fields")]
    [InlineData("x_1_0_20170109142408075.jpg.chip.jpg", "age")]
    [InlineData("130_1_0_20170109142408075.jpg.chip.jpg", "age")]
    [InlineData("30_2_0_20170109142408075.jpg.chip.jpg", "gender")]
    [InlineData("30_1_9_20170109142408075.jpg.chip.jpg", "race")]
    [InlineData("30_1_1_x.jpg", "date")]
    [InlineData("30_1_1_20170109142408075.png", ".jpg")]
    public void TryParse_MalformedNames_ReportWhyAndGuessNothing(string name, string expectedInProblem)
    {
        Assert.Null(UtkFaceName.TryParse(name, out var problem));
        Assert.Contains(expectedInProblem, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Split_IsDeterministicAndHoldsOutAboutTheFraction()
    {
        var names = Enumerable.Range(0, 20_000).Select(i => $"{i % 90}_0_0_2017{i:D10}.jpg.chip.jpg").ToArray();
        var first = names.Count(n => DatasetSplit.IsValidation(n));
        var second = names.Count(n => DatasetSplit.IsValidation(n));
        Assert.Equal(first, second);
        Assert.InRange(first / 20_000.0, 0.14, 0.16);
        Assert.Equal(DatasetSplit.IsValidation("a/b/" + names[7]), DatasetSplit.IsValidation(names[7]));
    }

    [Fact]
    public void Scan_SharedDataset_ReportsMalformedNamesAndGoesOn()
    {
        var scan = UtkFaceDataset.Scan(TestPaths.RequireDataset());
        Assert.True(scan.Samples.Count > 7000, scan.Summary);
        Assert.Contains(scan.Skipped, s => s.FileName == "61_1_20170109142408075.jpg.chip.jpg");
        Assert.All(scan.Skipped, s => Assert.False(string.IsNullOrEmpty(s.Problem)));
        Assert.Contains("skipped", scan.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Scan_MissingFolder_ThrowsClearError()
    {
        var ex = Assert.Throws<DirectoryNotFoundException>(() => UtkFaceDataset.Scan("/nonexistent/foglens"));
        Assert.Contains("FOGLENS_DATASET", ex.Message, StringComparison.Ordinal);
    }
}
