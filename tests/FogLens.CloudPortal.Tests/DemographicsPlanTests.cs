using FogLens.CloudPortal.Data;
using Segment = FogLens.CloudPortal.Data.DemographicsPlan.Segment;

namespace FogLens.CloudPortal.Tests;

/// <summary>How a time range is split between the per-minute windows and the roll-ups (rules only, no database).</summary>
public sealed class DemographicsPlanTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 10, 17, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset RawKept = Now.AddDays(-30);
    private static readonly DateTimeOffset HourlyKept = Now.AddDays(-400);

    [Fact]
    public void Plan_LastDay_ReadsTheUnalignedStartFromWindowsAndWholeHoursAndDaysFromRollups()
    {
        var plan = DemographicsPlan.Plan(Now.AddDays(-1), null, RollupPeriod.Day, RawKept, HourlyKept);

        Assert.Equal<Segment>(
        [
            new(null, Now.AddDays(-1), At(11, 30, 11), OpenAtStart: true),
            new(RollupPeriod.Hour, At(11, 30, 11), At(12, 1, 0)),
            new(RollupPeriod.Day, At(12, 1, 0), DateTimeOffset.MaxValue),
        ], plan);
    }

    [Fact]
    public void Plan_MinuteBuckets_ReadWindowsOnly_WhileTheyAreKept()
    {
        Assert.Equal<Segment>([new(null, Now.AddHours(-1), DateTimeOffset.MaxValue, OpenAtStart: true)], DemographicsPlan.Plan(Now.AddHours(-1), null, null, RawKept, HourlyKept));
        Assert.Equal<Segment>(
            [new(RollupPeriod.Day, DateTimeOffset.MinValue, At(10, 28, 0)), new(RollupPeriod.Hour, At(10, 28, 0), At(11, 1, 11)), new(null, At(11, 1, 11), DateTimeOffset.MaxValue)],
            DemographicsPlan.Plan(null, null, null, RawKept, Now.AddDays(-35)));
    }

    [Fact]
    public void Plan_RangeOlderThanTheWindows_IsWidenedToWholeHours()
    {
        var plan = DemographicsPlan.Plan(Now.AddDays(-40), Now.AddDays(-39).AddMinutes(5), RollupPeriod.Day, RawKept, HourlyKept);

        Assert.Equal<Segment>([new(RollupPeriod.Hour, At(10, 22, 10), At(10, 23, 11))], plan);
    }

    [Theory]
    [InlineData(-500.3, -1.2, 1)]
    [InlineData(-45.7, -29.9, 2)]
    [InlineData(-29.99, -0.01, 0)]
    [InlineData(-0.3, 0.0, 1)]
    [InlineData(-3.5, 2.0, 2)]
    public void Plan_PartsAreContiguousAndInOrder(double fromDays, double toDays, int resolution)
    {
        RollupPeriod? coarsest = resolution == 0 ? null : (RollupPeriod)resolution;
        var from = Now.AddDays(fromDays);
        var to = Now.AddDays(toDays);
        var plan = DemographicsPlan.Plan(from, to, coarsest, RawKept, HourlyKept);

        Assert.NotEmpty(plan);
        Assert.True(plan[0].Start <= from && plan[^1].End >= to);
        for (var i = 1; i < plan.Count; i++)
        {
            Assert.Equal(plan[i - 1].End, plan[i].Start);
        }

        Assert.All(plan.Where(s => s.Period is null), s => Assert.True(s.Start >= DemographicsPlan.Floor(RawKept, RollupPeriod.Hour)));
        Assert.All(plan.Where(s => s.Period is not null), s => Assert.Equal(s.Start, DemographicsPlan.Floor(s.Start, s.Period!.Value)));
    }

    private static DateTimeOffset At(int month, int day, int hour) => new(2026, month, day, hour, 0, 0, TimeSpan.Zero);
}
