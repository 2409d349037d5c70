using FogLens.FogService.Inference;

namespace FogLens.FogService.Tests;

public sealed class FaceRateTests
{
    [Fact]
    public void PerSecond_FallsToZero_WhenNoCropsArrive()
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-12-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var rate = new FaceRate(clock);
        for (var s = 0; s < 20; s++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            rate.Add(30);
        }

        Assert.InRange(rate.PerSecond, 29, 31);

        // The source ended: no batch comes, so nothing calls Add; the rate must still fall.
        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.InRange(rate.PerSecond, 10, 20);
        clock.Advance(FaceRate.Span);
        Assert.Equal(0, rate.PerSecond);
    }

    [Fact]
    public void PerSecond_JustAfterStart_DividesByTheTimeCovered()
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-12-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var rate = new FaceRate(clock);
        clock.Advance(TimeSpan.FromSeconds(2));
        rate.Add(20);
        Assert.Equal(10, rate.PerSecond);
    }

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
