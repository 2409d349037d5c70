using System.Net;
using System.Net.Http.Json;
using FogLens.CloudPortal.Auth;

namespace FogLens.CloudPortal.Tests;

/// <summary>Login throttling (security issue #14, item 6): rules without a host, then against a real portal.</summary>
public sealed class LoginThrottleTests
{
    [Fact]
    public void FiveFailures_LockTheUserAndTheAddress_AndLocksGrow()
    {
        var time = new ManualTime();
        var throttle = new LoginThrottle(time);
        for (var i = 0; i < LoginThrottle.MaxFailures - 1; i++)
        {
            throttle.Failed("admin", "10.0.0.9");
        }

        Assert.Equal(TimeSpan.Zero, throttle.RetryAfter("admin", "10.0.0.9"));
        throttle.Failed("admin", "10.0.0.9");
        Assert.Equal(LoginThrottle.FirstLockout, throttle.RetryAfter("admin", "10.0.0.1")); // the user, from anywhere
        Assert.Equal(LoginThrottle.FirstLockout, throttle.RetryAfter("viewer", "10.0.0.9")); // the address, for any user
        Assert.Equal(TimeSpan.Zero, throttle.RetryAfter("viewer", "10.0.0.1"));

        time.Advance(LoginThrottle.FirstLockout + TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.Zero, throttle.RetryAfter("admin", "10.0.0.9"));
        for (var i = 0; i < LoginThrottle.MaxFailures; i++)
        {
            throttle.Failed("admin", "10.0.0.9");
        }

        Assert.Equal(2 * LoginThrottle.FirstLockout, throttle.RetryAfter("admin", null)); // the second lock is longer
        time.Advance(LoginThrottle.Window + LoginThrottle.MaxLockout);
        throttle.Failed("admin", null);
        Assert.Equal(TimeSpan.Zero, throttle.RetryAfter("admin", null)); // old failures have expired
    }

    [Fact]
    public async Task Portal_RefusesGuessesAfterFiveFailures_EvenWithTheRightPassword()
    {
        await using var portal = await PortalHarness.StartAsync();
        using var client = await portal.ClientAsync(null);
        var ct = TestContext.Current.CancellationToken;
        for (var i = 0; i < LoginThrottle.MaxFailures; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("/api/auth/login", new { name = "admin", password = $"guess-{i}" }, ct)).StatusCode);
        }

        var locked = await client.PostAsJsonAsync("/api/auth/login", new { name = "admin", password = PortalHarness.AdminPassword }, ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.True(locked.Headers.RetryAfter is not null);
    }

    private sealed class ManualTime : TimeProvider
    {
        private DateTimeOffset _now = DateTimeOffset.UtcNow;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
