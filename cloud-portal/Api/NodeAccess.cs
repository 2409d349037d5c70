using System.Net.Http.Headers;
using System.Text;
using FogLens.CloudPortal.Data;
using FogLens.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using FogLens.CloudPortal.Common;

namespace FogLens.CloudPortal.Api;

/// <summary>
/// Who may read what the portal serves outside the login: model files and /metrics. A signed-in user may
/// read both. A fog authenticates with HTTP Basic and its broker account (Broker:Fogs:&lt;id&gt;) and may
/// download only the base model and versions that were promoted (what round tasks and announcements point at). Prometheus
/// reads /metrics with Portal:MetricsToken as a bearer token. With an open development broker
/// (Broker:AllowAnonymousFogs and no fog accounts) model files are public, as the fogs have no account.
/// </summary>
public sealed class NodeAccess(IOptions<BrokerOptions> broker, IOptions<PortalOptions> portal, PortalDb db)
{
    public async Task<bool> MayDownloadModelAsync(HttpContext http, string version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (http.User.Identity?.IsAuthenticated == true)
        {
            return true;
        }

        if (broker.Value.Fogs.Count == 0 && broker.Value.AllowAnonymousFogs)
        {
            return true;
        }

        if (!IsFog(http.Request.Headers.Authorization.ToString()))
        {
            return false;
        }

        await using var context = db.Create();
        return await context.Models.AsNoTracking().AnyAsync(m => m.Version == version && (m.PromotedAt != null || m.IsCurrent || m.Source == "base"), cancellationToken);
    }

    public bool MayReadMetrics(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (http.User.Identity?.IsAuthenticated == true)
        {
            return true;
        }

        return SharedSecret.MatchesBearer(http.Request.Headers.Authorization.ToString(), portal.Value.MetricsToken);
    }

    private bool IsFog(string authorization)
    {
        if (!AuthenticationHeaderValue.TryParse(authorization, out var header) || !string.Equals(header.Scheme, "Basic", StringComparison.OrdinalIgnoreCase)
            || header.Parameter is not { Length: > 0 and < 512 } encoded)
        {
            return false;
        }

        string pair;
        try
        {
            pair = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
        }
        catch (FormatException)
        {
            return false;
        }

        var colon = pair.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && broker.Value.Fogs.TryGetValue(pair[..colon], out var password) && SharedSecret.Matches(pair[(colon + 1)..], password);
    }
}
