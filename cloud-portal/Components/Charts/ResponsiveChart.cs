using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace FogLens.CloudPortal.Components.Charts;

/// <summary>
/// An SVG chart drawn at its container's width in CSS pixels (one SVG unit is one pixel), so that its text keeps its CSS
/// size on a phone and on a wide screen instead of shrinking with a viewBox; on a narrow container it lays itself out
/// differently (legend below, fewer ticks). A small script (wwwroot/charts.js) reports the container's width and moves
/// the keyboard focus between buckets. Until the first report (and without a browser, as in bUnit) the chart draws at
/// <see cref="Width"/>, scaled to fit.
/// </summary>
public abstract class ResponsiveChart : ComponentBase, IAsyncDisposable
{
    /// <summary>Below this width the legend goes under the plot and the axes carry fewer labels.</summary>
    protected const int NarrowWidth = 480;

    private DotNetObjectReference<ResponsiveChart>? _self;
    private IJSObjectReference? _module;
    private int? _measured;
    private bool _disposed;

    [Inject]
    private IJSRuntime JS { get; set; } = default!;

    /// <summary>The width drawn before the container is measured.</summary>
    [Parameter]
    public int Width { get; set; } = 640;

    [Parameter]
    public string Title { get; set; } = string.Empty;

    /// <summary>The chart's container (observed for its width).</summary>
    protected ElementReference Box { get; set; }

    /// <summary>The width to draw at: the container's, once measured.</summary>
    protected int W => _measured ?? Width;

    /// <summary>Whether the width is the container's (a browser measured it).</summary>
    protected bool Fitted => _measured is not null;

    protected bool Narrow => W < NarrowWidth;

    /// <summary>Computes what depends on the data and the width; called when either changes.</summary>
    protected abstract void Layout();

    protected override void OnParametersSet() => Layout();

    /// <summary>How many labels of <paramref name="chars"/> characters fit side by side in <paramref name="pixels"/>.</summary>
    protected static int Fit(double pixels, int chars) => Math.Max(2, (int)(pixels / ((chars * ChartPalette.CharWidth) + 14)));

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender)
        {
            return;
        }

        try
        {
            _self = DotNetObjectReference.Create(this);
            var module = await JS.InvokeAsync<IJSObjectReference>("import", "./charts.js");
            if (_disposed)
            {
                // The page moved on while the script loaded (DisposeAsync has run and released the reference).
                await module.DisposeAsync();
                return;
            }

            _module = module;
            await _module.InvokeVoidAsync("observe", Box, _self);
        }
        catch (JSDisconnectedException)
        {
            // the circuit went while the chart was being set up
        }
        catch (ObjectDisposedException)
        {
            // disposed between the two calls above: nothing to observe
        }
    }

    /// <summary>The container's width in CSS pixels (from charts.js).</summary>
    [JSInvokable]
    public Task Resize(int width) => InvokeAsync(() =>
    {
        if (width > 0 && width != _measured)
        {
            _measured = width;
            Layout();
            StateHasChanged();
        }
    });

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        if (_module is not null)
        {
            try
            {
                await _module.InvokeVoidAsync("unobserve", Box);
                await _module.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
                // the page is gone, and its observer with it
            }
        }

        _self?.Dispose();
        GC.SuppressFinalize(this);
    }
}
