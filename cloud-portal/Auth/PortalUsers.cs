using System.Security.Claims;
using FogLens.CloudPortal.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using FogLens.CloudPortal.Common;

namespace FogLens.CloudPortal.Auth;

/// <summary>Role names and the policy that requires Admin.</summary>
public static class PortalRoles
{
    public const string Admin = "Admin";
    public const string Viewer = "Viewer";
    public const string AdminPolicy = "AdminOnly";

    public static bool IsValid(string role) => role is Admin or Viewer;
}

/// <summary>Users with hashed passwords (ASP.NET Core Identity's <see cref="PasswordHasher{TUser}"/>).</summary>
public sealed partial class PortalUsers(PortalDb db, IOptions<AuthOptions> options, TimeProvider time, ILogger<PortalUsers> logger)
{
    private readonly PasswordHasher<PortalUser> _hasher = new();

    public async Task<PortalUser> CreateAsync(string name, string password, string role, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 64)
        {
            throw new ArgumentException("user name must be 1-64 characters", nameof(name));
        }

        if (string.IsNullOrEmpty(password) || password.Length < 8)
        {
            throw new ArgumentException("password must have at least 8 characters", nameof(password));
        }

        if (!PortalRoles.IsValid(role))
        {
            throw new ArgumentException($"role must be {PortalRoles.Admin} or {PortalRoles.Viewer}", nameof(role));
        }

        await using var context = db.Create();
        var user = await context.Users.FirstOrDefaultAsync(u => u.Name == name, cancellationToken);
        if (user is null)
        {
            user = new PortalUser { Name = name, PasswordHash = string.Empty, Role = role, CreatedAt = time.GetUtcNow() };
            context.Users.Add(user);
        }

        user.Role = role;
        user.PasswordHash = _hasher.HashPassword(user, password);
        user.SecurityStamp = NewStamp(); // a password change ends every session
        await context.SaveChangesAsync(cancellationToken);
        LogUserSaved(name, role);
        return user;
    }

    /// <summary>The user's claims when the password is right, else null (same work either way).</summary>
    public async Task<ClaimsPrincipal?> SignInAsync(string? name, string? password, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(password) || name.Length > 64 || password.Length > 1024)
        {
            return null;
        }

        await using var context = db.Create();
        var user = await context.Users.FirstOrDefaultAsync(u => u.Name == name, cancellationToken);
        var probe = user ?? new PortalUser { Name = name, PasswordHash = Dummy, Role = PortalRoles.Viewer };
        var result = _hasher.VerifyHashedPassword(probe, probe.PasswordHash, password);
        if (user is null || result == PasswordVerificationResult.Failed)
        {
            LogLoginFailed(name);
            return null;
        }

        if (result == PasswordVerificationResult.SuccessRehashNeeded)
        {
            user.PasswordHash = _hasher.HashPassword(user, password);
            await context.SaveChangesAsync(cancellationToken);
        }

        if (string.IsNullOrEmpty(user.SecurityStamp))
        {
            user.SecurityStamp = NewStamp();
            await context.SaveChangesAsync(cancellationToken);
        }

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, user.Name), new Claim(ClaimTypes.Role, user.Role), new Claim(StampClaim, user.SecurityStamp)],
            Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationDefaults.AuthenticationScheme);
        return new ClaimsPrincipal(identity);
    }

    /// <summary>Claim type of the security stamp in sign-in cookies.</summary>
    public const string StampClaim = "foglens:stamp";

    /// <summary>Whether a cookie's user still exists with the stamp it was issued with.</summary>
    public async Task<bool> IsCurrentAsync(ClaimsPrincipal? principal, CancellationToken cancellationToken)
    {
        var name = principal?.Identity?.Name;
        var stamp = principal?.FindFirst(StampClaim)?.Value;
        if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(stamp))
        {
            return false;
        }

        await using var context = db.Create();
        return await context.Users.AsNoTracking().AnyAsync(u => u.Name == name && u.SecurityStamp == stamp, cancellationToken);
    }

    /// <summary>Ends every session of <paramref name="name"/> (logout, or an Admin revoking access).</summary>
    public async Task RevokeAsync(string? name, CancellationToken cancellationToken)
    {
        await using var context = db.Create();
        if (await context.Users.FirstOrDefaultAsync(u => u.Name == name, cancellationToken) is { } user)
        {
            user.SecurityStamp = NewStamp();
            await context.SaveChangesAsync(cancellationToken);
        }
    }

    private static string NewStamp() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    /// <summary>Creates the configured first Admin when there is no user yet.</summary>
    public async Task SeedAsync(CancellationToken cancellationToken)
    {
        await using var context = db.Create();
        if (await context.Users.AnyAsync(cancellationToken))
        {
            return;
        }

        var o = options.Value;
        if (string.IsNullOrEmpty(o.AdminUser) || string.IsNullOrEmpty(o.AdminPassword))
        {
            LogNoUsers();
            return;
        }

        await CreateAsync(o.AdminUser, o.AdminPassword, PortalRoles.Admin, cancellationToken);
    }

    private static readonly string Dummy = new PasswordHasher<PortalUser>().HashPassword(new PortalUser { Name = "x", PasswordHash = "", Role = "Viewer" }, Guid.NewGuid().ToString());

    [LoggerMessage(EventId = 4501, Level = LogLevel.Information, Message = "User {Name} saved with role {Role}")]
    private partial void LogUserSaved(string name, string role);

    [LoggerMessage(EventId = 4502, Level = LogLevel.Warning, Message = "Failed login for {Name}")]
    private partial void LogLoginFailed(string name);

    [LoggerMessage(EventId = 4503, Level = LogLevel.Warning, Message = "No portal user exists: set Auth:AdminUser and Auth:AdminPassword, or run 'FogLens.CloudPortal user add NAME Admin' with the password in FOGLENS_PASSWORD")]
    private partial void LogNoUsers();
}
