using System.Globalization;
using Bunit;
using FogLens.CloudPortal.Components.Charts;

namespace FogLens.CloudPortal.Tests;

/// <summary>The SVG chart components, rendered with bUnit: geometry follows the data, and bad points are left out.</summary>
public sealed class ChartComponentTests : IDisposable
{
    private readonly BunitContext _context = new();

    [Fact]
    public void BarChart_BarHeightsAreProportionalToTheValues_WithLabels()
    {
        IReadOnlyList<(string, double)> items = [("0-2", 10), ("3-9", 40), ("10-19", 20)];
        var chart = _context.Render<BarChart>(p => p.Add(c => c.Items, items).Add(c => c.Title, "Age groups"));

        var bars = chart.FindAll("rect.bar");
        Assert.Equal(["0-2", "3-9", "10-19"], bars.Select(b => b.GetAttribute("data-label")));
        var heights = bars.Select(b => double.Parse(b.GetAttribute("height")!, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(4.0, heights[1] / heights[0], 2);
        Assert.Equal(2.0, heights[2] / heights[0], 2);
        Assert.Contains("Age groups", chart.Find("svg").GetAttribute("aria-label"), StringComparison.Ordinal);
    }

    [Fact]
    public void BarChart_WithoutData_SaysSo()
    {
        var chart = _context.Render<BarChart>(p => p.Add(c => c.Items, Array.Empty<(string, double)>()));
        Assert.Empty(chart.FindAll("rect.bar"));
        Assert.Contains("no data", chart.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void LineChart_LogScale_SkipsNonPositiveAndNonFinitePoints_AndOrdersHeights()
    {
        IReadOnlyList<LineChart.LineSeries> series =
        [
            new("sbc", [(1, 1e3), (2, 1e5), (3, 0), (4, double.NaN)]),
            new("dense", [(1, 1e7), (2, 2e7)]),
        ];
        var chart = _context.Render<LineChart>(p => p.Add(c => c.Series, series).Add(c => c.LogY, true));

        var points = chart.FindAll("circle.point");
        Assert.Equal(4, points.Count); // (3, 0) and (4, NaN) cannot be drawn on a log axis
        var cy = points.Select(c => double.Parse(c.GetAttribute("cy")!, CultureInfo.InvariantCulture)).ToArray();
        Assert.True(cy[0] > cy[1] && cy[1] > cy[2], "larger values are drawn higher");
        Assert.Equal(["sbc", "dense"], chart.FindAll("polyline.series").Select(l => l.GetAttribute("data-series")));
    }

    [Fact]
    public void StackedArea_SingleBucket_IsAVisibleStackedBar_NotAHairline()
    {
        var start = DateTimeOffset.Parse("2026-12-01T10:00:00Z", CultureInfo.InvariantCulture);
        var chart = _context.Render<StackedAreaChart>(p => p
            .Add(c => c.Series, ["0-19", "20-39"]).Add(c => c.Buckets, [start]).Add(c => c.Values, [[3.0, 6.0]]));

        var bars = chart.FindAll("rect.band");
        Assert.Equal(["0-19", "20-39"], bars.Select(b => b.GetAttribute("data-series")));
        Assert.All(bars, b => Assert.True(double.Parse(b.GetAttribute("width")!, CultureInfo.InvariantCulture) > 50, "a bar, not a hairline"));
        var heights = bars.Select(b => double.Parse(b.GetAttribute("height")!, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(2.0, heights[1] / heights[0], 2);
    }

    [Fact]
    public void StackedArea_PartialLastBucket_IsHatchedAndLabelled_OnlyWhenPartial()
    {
        var start = DateTimeOffset.Parse("2026-12-01T10:00:00Z", CultureInfo.InvariantCulture);
        IReadOnlyList<DateTimeOffset> buckets = [start, start.AddMinutes(5), start.AddMinutes(10)];
        IReadOnlyList<double[]> values = [[10.0], [12.0], [2.0]];
        var partial = _context.Render<StackedAreaChart>(p => p
            .Add(c => c.Series, ["all"]).Add(c => c.Buckets, buckets).Add(c => c.Values, values).Add(c => c.LastBucketPartial, true));
        var marker = partial.Find("rect.partial");
        Assert.Contains("in progress", partial.Markup, StringComparison.Ordinal);
        var x = double.Parse(marker.GetAttribute("x")!, CultureInfo.InvariantCulture);
        var width = double.Parse(marker.GetAttribute("width")!, CultureInfo.InvariantCulture);
        Assert.True(width > 0 && x > 50, "the marker covers the last segment, not the whole chart");

        var complete = _context.Render<StackedAreaChart>(p => p
            .Add(c => c.Series, ["all"]).Add(c => c.Buckets, buckets).Add(c => c.Values, values).Add(c => c.LastBucketPartial, false));
        Assert.Empty(complete.FindAll("rect.partial"));
    }

    public void Dispose() => _context.Dispose();
}
