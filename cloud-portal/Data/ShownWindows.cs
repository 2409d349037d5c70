using Microsoft.EntityFrameworkCore;

namespace FogLens.CloudPortal.Data;

/// <summary>The demographics windows a filter selects that may be shown (at least Portal:MinFacesShown faces: k-anonymity).</summary>
public static class ShownWindows
{
    public static IQueryable<DemographicsWindow> Query(PortalDbContext context, DemographicsFilter filter, int minFaces)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(filter);
        var q = context.Demographics.AsNoTracking().Where(w => w.Faces >= minFaces);
        if (!string.IsNullOrEmpty(filter.Fog))
        {
            q = q.Where(w => w.FogId == filter.Fog);
        }

        if (!string.IsNullOrEmpty(filter.Camera))
        {
            q = q.Where(w => w.CameraId == filter.Camera);
        }

        if (filter.From is { } from)
        {
            q = q.Where(w => w.WindowEnd > from);
        }

        if (filter.To is { } to)
        {
            q = q.Where(w => w.WindowStart < to);
        }

        return q;
    }
}
