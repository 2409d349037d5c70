using System.Globalization;
using Bunit;
using FogLens.CloudPortal.Components;
using FogLens.CloudPortal.Components.Charts;

namespace FogLens.CloudPortal.Tests;

/// <summary>
/// The SVG chart components, rendered with bUnit: geometry follows the data, bad points are left out, each bucket has its
/// tooltip, and a narrow chart lays itself out to fit (the width a browser would report is handed to Resize).
/// </summary>
public sealed class ChartComponentTests : IDisposable
{
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-12-01T10:00:00Z", CultureInfo.InvariantCulture);
    private readonly BunitContext _context = new();

    public ChartComponentTests() => _context.JSInterop.Mode = JSRuntimeMode.Loose; // charts.js measures the width in a browser

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

    [Fact]
    public void Heatmap_HasACellPerDayAndHour_DarkestForTheBusiestHour_WithItsCount()
    {
        var days = new[] { new DateOnly(2026, 11, 30), new DateOnly(2026, 12, 1) };
        var faces = new[] { new long[24], new long[24] };
        faces[0][9] = 10;
        faces[1][14] = 40;
        var chart = _context.Render<Heatmap>(p => p.Add(c => c.Days, days).Add(c => c.Faces, faces).Add(c => c.Title, "fog-1 › entrance"));

        var cells = chart.FindAll("rect.cell");
        Assert.Equal(48, cells.Count);
        double Opacity(string day, int hour) => double.Parse(chart.Find($"rect.cell[data-day='{day}'][data-hour='{hour}']").GetAttribute("fill-opacity")!, CultureInfo.InvariantCulture);
        Assert.Equal(1.0, Opacity("2026-12-01", 14));
        Assert.InRange(Opacity("2026-11-30", 9), 0.12, 0.5);
        Assert.Equal(0.0, Opacity("2026-11-30", 14)); // no faces: no colour, not a faint one
        Assert.Contains("14:00–15:00: 40 faces", chart.Find("rect.cell[data-day='2026-12-01'][data-hour='14'] title").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void PairedBars_CompareSharesOfEachTotal_NotRawCounts()
    {
        var chart = _context.Render<PairedBarChart>(p => p
            .Add(c => c.Labels, ["3-9", "20-29"]).Add(c => c.First, [10L, 30L]).Add(c => c.Second, [1L, 3L])
            .Add(c => c.FirstName, "last hour").Add(c => c.SecondName, "same hour yesterday"));

        string Value(string series, string label) => chart.Find($"rect.bar[data-series='{series}'][data-label='{label}']").GetAttribute("data-value")!;
        Assert.Equal("25", Value("last hour", "3-9"));
        Assert.Equal("25", Value("same hour yesterday", "3-9")); // a quieter hour with the same mix draws the same bars
        Assert.Equal("75", Value("same hour yesterday", "20-29"));
        Assert.Equal("3", chart.Find("rect.bar[data-series='same hour yesterday'][data-label='20-29']").GetAttribute("data-count"));
        Assert.Contains("no data", _context.Render<PairedBarChart>(p => p.Add(c => c.Labels, []).Add(c => c.First, []).Add(c => c.Second, [])).Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void StackedArea_EveryBucket_HasATooltipWithItsTimeAndValues_TheCurrentOneSaysInProgress()
    {
        IReadOnlyList<DateTimeOffset> buckets = [Start, Start.AddMinutes(5), Start.AddMinutes(10)];
        var chart = _context.Render<StackedAreaChart>(p => p
            .Add(c => c.Series, ["0-19", "20-39"]).Add(c => c.Buckets, buckets).Add(c => c.Values, [[1.0, 2.0], [3.0, 4.0], [1.0, 0.0]])
            .Add(c => c.Bucket, TimeSpan.FromMinutes(5)).Add(c => c.LastBucketPartial, true));

        var tips = chart.FindAll("g.bucket").Select(b => b.QuerySelectorAll(".tip text").Select(t => t.TextContent).ToList()).ToList();
        Assert.Equal(3, tips.Count);
        var local = Start.AddMinutes(5).ToLocalTime();
        Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"{local:ddd MM-dd HH:mm}–{local.AddMinutes(5):HH:mm}"), tips[1][0]);
        Assert.Equal(["20-39: 4", "0-19: 3", "total: 7"], tips[1][1..]); // top band first, as drawn
        Assert.EndsWith("(in progress)", tips[2][0], StringComparison.Ordinal);
        Assert.DoesNotContain("in progress", tips[1][0], StringComparison.Ordinal);
        Assert.Contains("total: 7", chart.FindAll("g.bucket")[1].GetAttribute("aria-label"), StringComparison.Ordinal);
        Assert.Equal(["-1", "-1", "0"], chart.FindAll("g.bucket").Select(b => b.GetAttribute("tabindex"))); // one tab stop; arrows move
    }

    [Fact]
    public void StackedArea_TimeAxis_IsTheRange_FromTheFirstBucketToTheEndOfTheLast()
    {
        IReadOnlyList<DateTimeOffset> buckets = [.. Enumerable.Range(0, 25).Select(h => Start.AddHours(h))];
        var chart = _context.Render<StackedAreaChart>(p => p
            .Add(c => c.Series, ["faces"]).Add(c => c.Buckets, buckets).Add(c => c.Values, [.. buckets.Select(_ => new[] { 1.0 })])
            .Add(c => c.Bucket, TimeSpan.FromHours(1)).Add(c => c.TimeFormat, "dd HH:mm"));

        var svg = chart.Find("svg");
        Assert.Equal("2026-12-01T10:00:00Z", svg.GetAttribute("data-from"));
        Assert.Equal("2026-12-02T11:00:00Z", svg.GetAttribute("data-to"));
        var labels = chart.FindAll("text").Where(t => t.GetAttribute("text-anchor") == "middle" && t.TextContent.Contains(':', StringComparison.Ordinal)).ToList();
        Assert.Equal(Start.ToLocalTime().ToString("dd HH:mm", CultureInfo.InvariantCulture), labels[0].TextContent);
        var xs = labels.Select(l => double.Parse(l.GetAttribute("x")!, CultureInfo.InvariantCulture)).ToList();
        Assert.True(xs.Zip(xs.Skip(1)).All(p => p.Second - p.First >= (8 * ChartPalette.CharWidth) + 14), "time labels do not touch");
        Assert.True(xs[^1] > 400, "the labels run along the whole axis");
    }

    [Fact]
    public async Task StackedArea_OnANarrowScreen_DrawsAtItsWidth_WithTheLegendBelow_AndFewerLabels()
    {
        IReadOnlyList<DateTimeOffset> buckets = [.. Enumerable.Range(0, 61).Select(m => Start.AddMinutes(m))];
        var chart = _context.Render<StackedAreaChart>(p => p
            .Add(c => c.Series, ["0-19", "20-39", "40-59", "60+"]).Add(c => c.Buckets, buckets).Add(c => c.Values, [.. buckets.Select(_ => new[] { 1.0, 2, 3, 4 })]));
        var wideLabels = chart.FindAll("text[text-anchor='middle']").Count;

        await chart.InvokeAsync(() => chart.Instance.Resize(330));

        var svg = chart.Find("svg");
        Assert.StartsWith("0 0 330 ", svg.GetAttribute("viewBox"), StringComparison.Ordinal); // one unit per CSS pixel: 13 px text stays 13 px
        Assert.True(svg.HasAttribute("data-fitted"));
        var height = double.Parse(svg.GetAttribute("viewBox")!.Split(' ')[3], CultureInfo.InvariantCulture);
        Assert.True(height > 300, "the legend went under the plot");
        Assert.All(chart.FindAll("text").Where(t => t.ParentElement?.ClassName != "tip"), t => Assert.InRange(double.Parse(t.GetAttribute("x")!, CultureInfo.InvariantCulture), 0, 330));
        Assert.InRange(chart.FindAll("text[text-anchor='middle']").Count, 2, wideLabels - 1);
    }

    [Fact]
    public void LineChart_EveryRound_HasATooltipWithEachSeriesValueThere()
    {
        IReadOnlyList<LineChart.LineSeries> series = [new("round's model", [(1, 7.25), (2, 7.5)]), new("best promoted", [(2, 7.1)])];
        var chart = _context.Render<LineChart>(p => p.Add(c => c.Series, series).Add(c => c.XLabel, "round").Add(c => c.Title, "MAE per round"));

        var buckets = chart.FindAll("g.bucket");
        Assert.Equal(["1", "2"], buckets.Select(b => b.GetAttribute("data-x")));
        Assert.Equal(["round 2", "round's model: 7.5", "best promoted: 7.1"], buckets[1].QuerySelectorAll(".tip text").Select(t => t.TextContent));
        Assert.Equal(["round 1", "round's model: 7.25"], buckets[0].QuerySelectorAll(".tip text").Select(t => t.TextContent));
        Assert.Single(chart.FindAll("circle.point[data-series='best promoted']")); // one point is drawn even without a line
    }

    [Fact]
    public void RefreshCadence_IsDueAtOnceForNewFilters_ElseOncePerPeriod()
    {
        var cadence = new RefreshCadence();
        var period = TimeSpan.FromMinutes(1);
        Assert.True(cadence.IsDue("range=1h", Start, period));
        Assert.False(cadence.IsDue("range=1h", Start.AddSeconds(5), period));
        Assert.False(cadence.IsDue("range=1h", Start.AddSeconds(55), period));
        Assert.True(cadence.IsDue("range=24h", Start.AddSeconds(56), period)); // the user changed the range
        Assert.False(cadence.IsDue("range=24h", Start.AddSeconds(60), period));
        Assert.True(cadence.IsDue("range=24h", Start.AddSeconds(116), period));
        Assert.True(cadence.IsDue("range=24h", Start.AddSeconds(117), TimeSpan.Zero)); // no period: every refresh
    }

    public void Dispose() => _context.Dispose();
}
