using FogLens.AgeModel;
using FogLens.PipelineEval;

namespace FogLens.PipelineEval.Tests;

public sealed class ModelComparisonTests
{
    private static readonly AgeGroupSet Groups = AgeGroupSet.Default;

    [Fact]
    public void Compare_PairsTheSameTracks_AndLeavesOutFalseAndUnreadOnes()
    {
        TrackResult[] tracks =
        [
            new(32, 0, 25, 27, Groups.IndexOf(27), 34) { OtherPredictedAges = [24] },
            new(32, 1, 70, 60, Groups.IndexOf(60), 34) { OtherPredictedAges = [66] },
            new(64, 2, 5, 9, Groups.IndexOf(9), 60) { OtherPredictedAges = [null] }, // the other model could not read it
            new(64, null, null, 40, Groups.IndexOf(40), 60) { OtherPredictedAges = [40] }, // nobody
            new(64, 3, 40, 44, Groups.IndexOf(44), 60) { OtherPredictedAges = [43] },
        ];

        var c = ModelComparison.Compare("other", "other.onnx", 0, [32, 64], tracks, Groups, 4.2, -0.3);

        Assert.Equal([32, 64, (int?)null], c.Sizes.Select(s => s.Size));
        var at32 = c.Sizes[0];
        Assert.Equal(2, at32.Tracks);
        Assert.Equal((2 + 10) / 2.0, at32.BaselineMae!.Value, 9);
        Assert.Equal((1 + 4) / 2.0, at32.Mae!.Value, 9);
        Assert.Equal(((1 - 2) + (4 - 10)) / 2.0, at32.MaeDifference!.Value, 9);
        Assert.Equal((-1 - 4) / 2.0, at32.SignedError!.Value, 9);
        var all = c.Sizes[^1];
        Assert.Equal(3, all.Tracks);
        Assert.Equal((2 + 10 + 4) / 3.0, all.BaselineMae!.Value, 9);
        Assert.Equal((1 + 4 + 3) / 3.0, all.Mae!.Value, 9);
        var seventies = c.Groups.Single(g => g.Group == Groups.Groups[Groups.IndexOf(70)].Label);
        Assert.Equal(1, seventies.Tracks);
        Assert.Equal(-4, seventies.SignedError!.Value, 9);
        Assert.Equal(-10, seventies.BaselineSignedError!.Value, 9);
        Assert.Equal(4.2, c.AlignedMae);
    }

    [Fact]
    public void Paired_Interval_IsTheNormalIntervalOfTheDifferences()
    {
        // Absolute-error differences (other − first): -1, -3, +1, -1 → mean -1, sample sd √(8/3).
        (int, double, double)[] pairs = [(30, 32, 31), (30, 34, 31), (30, 30, 31), (30, 28, 29)];

        var m = ModelComparison.Paired(null, pairs);

        var half = ModelComparison.Z95 * Math.Sqrt(8.0 / 3 / 4);
        Assert.Equal(-1, m.MaeDifference!.Value, 9);
        Assert.Equal(-1 - half, m.DifferenceLow!.Value, 9);
        Assert.Equal(-1 + half, m.DifferenceHigh!.Value, 9);
    }

    [Fact]
    public void Paired_NoTracks_HasNothingToSay()
    {
        var m = ModelComparison.Paired(24, []);

        Assert.Equal(0, m.Tracks);
        Assert.Null(m.Mae);
        Assert.Null(m.MaeDifference);
        Assert.Null(m.DifferenceLow);
    }
}
