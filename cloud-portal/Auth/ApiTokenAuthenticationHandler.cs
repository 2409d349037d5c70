using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace FogLens.CloudPortal.Auth;

/// <summary>
/// Authenticates <c>Authorization: Bearer flt_...</c> against <see cref="ApiTokens"/>. Other bearers (the
/// /metrics token) are left alone (no result); an unknown <c>flt_</c> token fails. The principal is a Viewer with
/// the <see cref="ScopeClaim"/> "read", which <see cref="ReadOnlyTokenFilter"/> holds to GET requests.
/// </summary>
public sealed class ApiTokenAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiTokens tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiToken";

    public const string ScopeClaim = "foglens:scope";

    /// <summary>Whether a request carries a FogLens API token (the default scheme forwards those here).</summary>
    public static bool HasToken(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return AuthenticationHeaderValue.TryParse(request.Headers.Authorization.ToString(), out var header)
            && string.Equals(header.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase)
            && header.Parameter?.StartsWith(ApiTokens.Prefix, StringComparison.Ordinal) == true;
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!HasToken(Request))
        {
            return AuthenticateResult.NoResult();
        }

        var token = AuthenticationHeaderValue.Parse(Request.Headers.Authorization.ToString()).Parameter!;
        if (await tokens.FindAsync(token, Context.RequestAborted) is not { } record)
        {
            return AuthenticateResult.Fail("unknown or removed API token");
        }

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, "token:" + record.Name), new Claim(ClaimTypes.Role, PortalRoles.Viewer), new Claim(ScopeClaim, record.Scope.ToString().ToLowerInvariant())],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    /// <summary>Admin-only endpoints refuse a token before any endpoint filter runs: say why.</summary>
    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await Context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = StatusCodes.Status403Forbidden, Title = "Read-only token", Detail = ReadOnlyTokenFilter.Explanation },
        });
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer realm=\"foglens-api\"";
        return Task.CompletedTask;
    }
}
