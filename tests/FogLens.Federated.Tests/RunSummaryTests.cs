using FogLens.Federated.Experiments;

namespace FogLens.Federated.Tests;

/// <summary>Bits to accuracy, gain kept and the stability band, on hand-made round logs.</summary>
public sealed class RunSummaryTests
{
    private static ExperimentRun Run(string name, string codec, params (double Mae, long Up)[] rounds)
    {
        var records = new List<RoundRecord>();
        long up = 0;
        for (var i = 0; i < rounds.Length; i++)
        {
            up += rounds[i].Up;
            records.Add(new RoundRecord(i, 10, new Dictionary<string, double>(), 4, 4, 0, 0, 0, 0, rounds[i].Up, up, 0, 0, i == 0 ? 0 : 100, 0, 0, 0, 0, 0) { SitesMae = rounds[i].Mae });
        }

        var options = new ExperimentOptions { Name = name, Codec = codec, Scenario = SiteShiftScenario.SiteShift, Rounds = rounds.Length - 1 };
        return new ExperimentRun(options, 1000, records);
    }

    [Fact]
    public void BitsToTarget_FirstRoundWithinDenseFinalPlusBand_AndStability()
    {
        var dense = Run("dense", "dense", (10, 0), (8, 1000), (7, 1000), (6.5, 1000), (6.2, 1000), (6.1, 1000), (6.0, 1000), (6.0, 1000), (6.0, 1000));
        var sbc = Run("sbc", "sbc", (10, 0), (9, 1), (7, 1), (6.25, 1), (6.3, 1), (6.2, 1), (6.29, 1), (6.1, 1));
        var wobbly = Run("wobbly", "sbc", (10, 0), (6.2, 1), (9, 1), (9, 1), (9, 1), (9, 1), (6.2, 1), (6.2, 1));
        var runs = new[] { dense, sbc, wobbly };
        Assert.Same(dense, RunSummary.FindReference(runs, sbc));

        var d = RunSummary.Compute(dense, dense);
        Assert.Equal(6.3, d.TargetMae!.Value, 1e-9);
        Assert.Equal(4, d.RoundToTarget); // 6.2 ≤ 6.3 first at round 4
        Assert.Equal(8.0 * 4000, d.BitsToTargetUp);
        Assert.Equal(8.0 * 400, d.BitsToTargetDown);
        Assert.True(d.InBandLast5);

        var s = RunSummary.Compute(sbc, dense);
        Assert.Equal(3, s.RoundToTarget);
        Assert.Equal(8.0 * 3, s.BitsToTargetUp);
        Assert.True(s.InBandLast5);
        Assert.Equal((10 - 6.1) / (10 - 6.0), s.GainKept!.Value, 1e-9);
        Assert.Equal(6.1, s.FinalMae);
        Assert.Equal(10, s.BaseMae);

        var w = RunSummary.Compute(wobbly, dense);
        Assert.Equal(1, w.RoundToTarget);
        Assert.False(w.InBandLast5); // reached once, then left the band

        var none = RunSummary.Compute(sbc, null);
        Assert.Null(none.BitsToTargetUp);
        Assert.Null(none.TargetMae);
    }
}
