using System.Globalization;
using FogLens.CloudPortal.Data;

namespace FogLens.CloudPortal.Tests;

/// <summary>The time picker's range as the URL carries it, and the buckets of the trend charts.</summary>
public sealed class TimeRangeTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-12-01T10:07:30Z", CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("24h", null, null, "range=24h")]
    [InlineData("7d", null, null, "range=7d")]
    [InlineData("nonsense", null, null, "range=1h")]
    [InlineData(null, null, null, "range=1h")]
    [InlineData(null, "not a time", null, "range=1h")]
    [InlineData("24h", "2026-12-01T06:00:00Z", "2026-12-01T08:00:00Z", "from=2026-12-01T06%3A00%3A00Z&to=2026-12-01T08%3A00%3A00Z")]
    [InlineData(null, "2026-12-01T08:00:00+02:00", null, "from=2026-12-01T06%3A00%3A00Z")]
    [InlineData(null, "2026-12-01T08:00:00Z", "2026-12-01T06:00:00Z", "from=2026-12-01T06%3A00%3A00Z&to=2026-12-01T08%3A00%3A00Z")]
    public void Parse_ReadsTheUrl_AndWritesItBackTheSameWay(string? range, string? from, string? to, string query)
    {
        var parsed = TimeRange.Parse(range, from, to);
        Assert.Equal(query, parsed.Query);
        var back = System.Web.HttpUtility.ParseQueryString(query);
        Assert.Equal(parsed, TimeRange.Parse(back["range"], back["from"], back["to"])); // a shared link shows the same view
    }

    [Fact]
    public void Presets_StartOnABucketBoundary_SoOnlyTheCurrentBucketIsPartial()
    {
        var (from, to) = TimeRange.OfPreset("1h").Resolve(Now);
        Assert.Equal(Now, to);
        var bucket = TimeRange.BucketFor(to - from!.Value);
        Assert.Equal(DateTimeOffset.Parse("2026-12-01T09:07:00Z", CultureInfo.InvariantCulture), from);
        var buckets = TimeRange.Buckets(from.Value, to, bucket);
        Assert.Equal(from, buckets[0]);
        Assert.True(TimeRange.LastBucketPartial(buckets, bucket, to));
        Assert.False(TimeRange.LastBucketPartial(buckets, bucket, buckets[^1] + bucket)); // a bucket that has ended is whole
    }

    [Fact]
    public void EveryPreset_HasAtMostMaxBuckets_ThatCoverItsRangeWithoutGaps()
    {
        foreach (var (key, _, span) in TimeRange.Presets.Where(p => p.Span is not null))
        {
            var (from, to) = TimeRange.OfPreset(key).Resolve(Now);
            var bucket = TimeRange.BucketFor(to - from!.Value);
            var buckets = TimeRange.Buckets(from.Value, to, bucket);
            Assert.InRange(buckets.Count, 2, TimeRange.MaxBuckets + 1);
            Assert.True(buckets[^1] + bucket >= to, $"{key}: the last bucket reaches now");
            Assert.True(buckets[0] <= to - span!.Value, $"{key}: the first bucket reaches back the whole span");
            Assert.All(buckets.Zip(buckets.Skip(1)), p => Assert.Equal(bucket, p.Second - p.First));
        }
    }

    [Fact]
    public void CustomRange_EndsAtItsEnd_OrAtNowWhenLater()
    {
        var past = TimeRange.Custom(Now.AddDays(-3), Now.AddDays(-2));
        Assert.Equal(Now.AddDays(-2), past.Resolve(Now).To);
        var future = TimeRange.Custom(Now.AddHours(-2), Now.AddHours(5));
        Assert.Equal(Now, future.Resolve(Now).To);
        Assert.Contains("–", past.Label, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => TimeRange.OfPreset("2h"));
    }
}
