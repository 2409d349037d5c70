namespace FogLens.CloudPortal.Components.Charts;

/// <summary>Where a chart's legend entries go: a column beside the plot, or rows under it on a narrow chart.</summary>
public static class ChartLegend
{
    public const int RowHeight = 18;

    /// <summary>The top-left corner of each entry's colour swatch (its name follows 14 px to the right).</summary>
    public static IReadOnlyList<(double X, double Y)> Column(int count, double x, double y) =>
        [.. Enumerable.Range(0, count).Select(s => (x, y + (s * RowHeight)))];

    /// <summary>Entries side by side from <paramref name="x"/>, wrapping before <paramref name="right"/>.</summary>
    public static IReadOnlyList<(double X, double Y)> Rows(IReadOnlyList<string> names, double x, double y, double right)
    {
        ArgumentNullException.ThrowIfNull(names);
        var places = new List<(double, double)>();
        var (cx, cy) = (x, y);
        foreach (var name in names)
        {
            var width = 14 + (name.Length * ChartPalette.CharWidth) + 14;
            if (cx > x && cx + width > right)
            {
                (cx, cy) = (x, cy + RowHeight);
            }

            places.Add((cx, cy));
            cx += width;
        }

        return places;
    }

    /// <summary>Rows the entries take (0 for none).</summary>
    public static int RowCount(IReadOnlyList<(double X, double Y)> places) => places.Select(p => p.Y).Distinct().Count();
}
