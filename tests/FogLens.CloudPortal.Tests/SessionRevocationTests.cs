using System.Net;
using FogLens.CloudPortal.Auth;

namespace FogLens.CloudPortal.Tests;

/// <summary>Sign-in cookies stop working after a logout and after a password change (security issue #14, item 6).</summary>
public sealed class SessionRevocationTests
{
    [Fact]
    public async Task Logout_EndsEverySessionOfTheUser_PasswordChangeToo()
    {
        await using var portal = await PortalHarness.StartAsync();
        var ct = TestContext.Current.CancellationToken;
        using var first = await portal.ClientAsync("viewer");
        using var second = await portal.ClientAsync("viewer"); // another browser, or a stolen copy of the cookie
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync("/api/nodes", ct)).StatusCode);

        Assert.Equal(HttpStatusCode.Redirect, (await first.PostAsync("/account/logout", null, ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await second.GetAsync("/api/nodes", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await first.GetAsync("/api/nodes", ct)).StatusCode);

        using var third = await portal.ClientAsync("viewer");
        Assert.Equal(HttpStatusCode.OK, (await third.GetAsync("/api/nodes", ct)).StatusCode);
        await portal.Service<PortalUsers>().CreateAsync("viewer", "a-new-viewer-password", PortalRoles.Viewer, ct);
        Assert.Equal(HttpStatusCode.Unauthorized, (await third.GetAsync("/api/nodes", ct)).StatusCode);
    }
}
