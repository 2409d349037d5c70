using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;

namespace FogLens.CloudPortal.Auth;

/// <summary>
/// Re-checks the signed-in user of an open Blazor circuit every minute: after a logout elsewhere, a password
/// change or a removed user, the circuit loses its authentication and the pages show the login again.
/// </summary>
public sealed class StampRevalidatingStateProvider(ILoggerFactory loggerFactory, IServiceScopeFactory scopes) : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromMinutes(1);

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(authenticationState);
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PortalUsers>().IsCurrentAsync(authenticationState.User, cancellationToken);
    }
}
