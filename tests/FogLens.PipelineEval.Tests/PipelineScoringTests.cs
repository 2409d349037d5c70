using FogLens.AgeModel;
using FogLens.PipelineEval;

namespace FogLens.PipelineEval.Tests;

public sealed class PipelineScoringTests
{
    private static readonly AgeGroupSet Groups = AgeGroupSet.Default;

    [Fact]
    public void Score_CountsRecallDuplicatesAndFalseTracks()
    {
        PersonTruth[] people = [new(0, 32, 25), new(1, 32, 5), new(2, 32, 70), new(3, 32, 40)];
        TrackResult[] tracks =
        [
            new(32, 0, 25, 27, Groups.IndexOf(27), 34),
            new(32, 0, 25, 31, Groups.IndexOf(31), 34), // a second track of person 0
            new(32, 1, 5, 4, Groups.IndexOf(4), 34),
            new(32, null, null, 40, Groups.IndexOf(40), 34), // nobody
        ];

        // 1,500 frames = 1 minute at 25 fps.
        var m = PipelineScoring.Score(32, people, tracks, 1500, Groups);

        Assert.Equal(0.5, m.Recall, 9);
        Assert.Equal(0.25, m.DuplicatesPerPerson, 9);
        Assert.Equal(1.0, m.FalseTracksPerMin, 9);
        Assert.Equal((2 + 6 + 1) / 3.0, m.Mae!.Value, 9);
        Assert.Equal((2 + 6 - 1) / 3.0, m.SignedError!.Value, 9);
        Assert.Equal(2 / 3.0, m.Cs5!.Value, 9);
    }

    [Fact]
    public void Score_HistogramTv_IsHalfTheL1DistanceBetweenTrueAndCountedGroups()
    {
        PersonTruth[] people = [new(0, 64, 25), new(1, 64, 25)];
        TrackResult[] tracks = [new(64, 0, 25, 25, Groups.IndexOf(25), 68), new(64, 1, 25, 35, Groups.IndexOf(35), 68)];

        var m = PipelineScoring.Score(64, people, tracks, 100, Groups);

        // True: all 20-29; counted: half 20-29, half 30-39.
        Assert.Equal(0.5, m.HistogramTv, 9);
        var twenties = m.Groups.Single(g => g.Group == "20-29");
        Assert.Equal(2, twenties.Tracks);
        Assert.Equal(5.0, twenties.SignedError!.Value, 9);
    }

    [Fact]
    public void Score_NoTracks_HasNoAgeErrorAndZeroRecall()
    {
        var m = PipelineScoring.Score(24, [new PersonTruth(0, 24, 30)], [], 50, Groups);
        Assert.Equal(0, m.Recall);
        Assert.Null(m.Mae);
        Assert.Null(m.Cs5);
        Assert.Equal(1.0, m.HistogramTv, 9);
    }
}
