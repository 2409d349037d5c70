using System.Globalization;

namespace FogLens.CloudPortal.Components.Charts;

/// <summary>Colours and number formatting shared by the SVG charts (no JavaScript chart library: they render on the server and test as plain markup).</summary>
public static class ChartPalette
{
    private static readonly string[] Colors =
    [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
    ];

    /// <summary>Width of one character of chart text (13 px DejaVu Sans, a little generous), for fitting labels and tooltips.</summary>
    public const double CharWidth = 7.6;

    public static string Color(int index) => Colors[((index % Colors.Length) + Colors.Length) % Colors.Length];

    public static string F(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>Round tick values for an axis from 0 (or <paramref name="min"/>) to at least <paramref name="max"/>.</summary>
    public static double[] Ticks(double min, double max, int count = 5)
    {
        if (!(max > min))
        {
            max = min + 1;
        }

        var raw = (max - min) / count;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = new[] { 1, 2, 2.5, 5, 10 }.Select(m => m * magnitude).First(s => s >= raw);
        var start = Math.Floor(min / step) * step;
        var ticks = new List<double>();
        for (var v = start; v <= max + (step * 0.999); v += step)
        {
            ticks.Add(Math.Round(v, 10));
        }

        return [.. ticks];
    }
}
