using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;

namespace FogLens.CloudPortal.Components.Charts;

/// <summary>
/// A bucket's tooltip: a box with one line of text per entry beside the point <see cref="X"/>, on its right or, where
/// the chart ends, on its left, and never above the top. Hidden until its bucket is hovered or has the keyboard focus
/// (app.css), so it needs no script and no round trip.
/// </summary>
public sealed class ChartTip : ComponentBase
{
    private const int LineHeight = 17;

    [Parameter]
    public double X { get; set; }

    [Parameter]
    public double Y { get; set; }

    /// <summary>The chart's width: the box stays inside it.</summary>
    [Parameter]
    public double ChartWidth { get; set; }

    [Parameter]
    public IReadOnlyList<string> Lines { get; set; } = [];

    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var width = (Lines.Count == 0 ? 0 : Lines.Max(l => l.Length) * ChartPalette.CharWidth) + 16;
        var height = (Lines.Count * LineHeight) + 10;
        var left = X + 10 + width <= ChartWidth ? X + 10 : Math.Max(0, X - 10 - width);
        var top = Math.Max(2, Y);
        builder.OpenElement(0, "g");
        builder.AddAttribute(1, "class", "tip");
        builder.OpenElement(2, "rect");
        builder.AddAttribute(3, "class", "tip-box");
        builder.AddAttribute(4, "x", ChartPalette.F(left));
        builder.AddAttribute(5, "y", ChartPalette.F(top));
        builder.AddAttribute(6, "width", ChartPalette.F(width));
        builder.AddAttribute(7, "height", ChartPalette.F(height));
        builder.AddAttribute(8, "rx", "4");
        builder.CloseElement();
        for (var i = 0; i < Lines.Count; i++)
        {
            builder.OpenElement(9, "text");
            builder.AddAttribute(10, "x", ChartPalette.F(left + 8));
            builder.AddAttribute(11, "y", ChartPalette.F(top + 5 + ((i + 1) * LineHeight) - 4));
            builder.AddContent(12, Lines[i]);
            builder.CloseElement();
        }

        builder.CloseElement();
    }
}
