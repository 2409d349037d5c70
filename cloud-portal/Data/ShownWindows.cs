using Microsoft.EntityFrameworkCore;

namespace FogLens.CloudPortal.Data;

/// <summary>The demographics windows a filter selects that may be shown (at least Portal:MinFacesShown faces: k-anonymity).</summary>
public static class ShownWindows
{
    /// <summary>The longest window a fog may report (<c>FogDemographics.Validate</c>).</summary>
    private static readonly TimeSpan MaxWindow = TimeSpan.FromDays(1);

    public static IQueryable<DemographicsWindow> Query(PortalDbContext context, DemographicsFilter filter, int minFaces)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(filter);
        var q = context.Demographics.AsNoTracking().Where(w => w.Faces >= minFaces);
        if (!string.IsNullOrEmpty(filter.Fog))
        {
            q = q.Where(w => w.FogId == filter.Fog);
        }

        if (filter.SiteFogs is { } fogs)
        {
            q = q.Where(w => fogs.Contains(w.FogId));
        }

        if (!string.IsNullOrEmpty(filter.Camera))
        {
            q = q.Where(w => w.CameraId == filter.Camera);
        }

        if (filter.From is { } from)
        {
            q = Bounded(q.Where(w => w.WindowEnd > from), from, filter.To ?? DateTimeOffset.MaxValue);
        }

        if (filter.To is { } to)
        {
            q = q.Where(w => w.WindowStart < to);
        }

        return q;
    }

    /// <summary>
    /// Redundant bounds for windows ending after <paramref name="from"/> (a window lasts at most a day,
    /// <c>FogDemographics.Validate</c>): both time columns bounded on both sides, so neither planner walks every window
    /// starting before the range's end (SQLite, without histograms, would for a camera's or a fog's index).
    /// </summary>
    public static IQueryable<DemographicsWindow> Bounded(IQueryable<DemographicsWindow> q, DateTimeOffset from, DateTimeOffset to)
    {
        var earliestStart = from - MaxWindow;
        q = q.Where(w => w.WindowStart > earliestStart);
        if (to != DateTimeOffset.MaxValue)
        {
            var latestEnd = to + MaxWindow;
            q = q.Where(w => w.WindowEnd < latestEnd);
        }

        return q;
    }
}
