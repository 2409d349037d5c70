using FogLens.CloudPortal.Data;
using Microsoft.AspNetCore.Components;

namespace FogLens.CloudPortal.Components;

/// <summary>
/// A live page whose filters (<see cref="FilterBar"/>) are in its URL: <c>?range=</c> or <c>?from=&amp;to=</c>,
/// <c>&amp;site=</c>, <c>&amp;fog=</c>, <c>&amp;camera=</c>. Changing them navigates, and the page reloads for the new query.
/// </summary>
public abstract class FilteredLivePage : LivePage
{
    private string? _loaded;

    [SupplyParameterFromQuery(Name = "range")]
    public string? RangeQuery { get; set; }

    [SupplyParameterFromQuery(Name = "from")]
    public string? FromQuery { get; set; }

    [SupplyParameterFromQuery(Name = "to")]
    public string? ToQuery { get; set; }

    [SupplyParameterFromQuery(Name = "site")]
    public string? Site { get; set; }

    [SupplyParameterFromQuery(Name = "fog")]
    public string? Fog { get; set; }

    [SupplyParameterFromQuery(Name = "camera")]
    public string? Camera { get; set; }

    protected TimeRange Range => TimeRange.Parse(RangeQuery, FromQuery, ToQuery);

    /// <summary>The site, fog and camera filters (no time bounds).</summary>
    protected DemographicsFilter Scope => new(Fog, Camera) { Site = string.IsNullOrEmpty(Site) ? null : Site };

    /// <summary>The page's filters as one string: it changes when any of them does.</summary>
    protected string FilterKey => string.Join('\n', RangeQuery, FromQuery, ToQuery, Site, Fog, Camera);

    /// <summary>Loads the page's data for the current query.</summary>
    protected abstract Task LoadFilteredAsync();

    protected sealed override async Task LoadAsync()
    {
        _loaded = FilterKey;
        await LoadFilteredAsync();
    }

    protected override async Task OnParametersSetAsync()
    {
        if (_loaded is not null && _loaded != FilterKey)
        {
            await LoadAsync(); // the URL's query changed (a filter, or back/forward)
        }
    }
}
