using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;

namespace FogLens.CloudPortal.Components.Charts;

/// <summary>An SVG &lt;text&gt; element (Razor reserves the &lt;text&gt; tag in code blocks).</summary>
public sealed class SvgText : ComponentBase
{
    [Parameter]
    public double X { get; set; }

    [Parameter]
    public double Y { get; set; }

    /// <summary>start, middle or end.</summary>
    [Parameter]
    public string Anchor { get; set; } = "start";

    [Parameter]
    public string? Text { get; set; }

    /// <summary>Degrees to turn the text about its anchor point (0: none).</summary>
    [Parameter]
    public double Rotate { get; set; }

    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.OpenElement(0, "text");
        builder.AddAttribute(1, "x", ChartPalette.F(X));
        builder.AddAttribute(2, "y", ChartPalette.F(Y));
        builder.AddAttribute(3, "text-anchor", Anchor);
        if (Rotate != 0)
        {
            builder.AddAttribute(4, "transform", $"rotate({ChartPalette.F(Rotate)} {ChartPalette.F(X)} {ChartPalette.F(Y)})");
        }

        builder.AddContent(5, Text);
        builder.CloseElement();
    }
}
