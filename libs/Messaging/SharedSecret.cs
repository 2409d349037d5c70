using System.Security.Cryptography;
using System.Text;

namespace FogLens.Messaging;

/// <summary>Password comparison for the embedded brokers, and the rule for secrets a service accepts at start.</summary>
public static class SharedSecret
{
    /// <summary>Shortest secret a service accepts in its configuration.</summary>
    public const int MinLength = 8;

    private static readonly string[] Placeholders = ["change-me", "changeme", "change_me", "replace-me", "replaceme", "example", "placeholder", "password", "secret", "xxxxxxxx", "12345678"];

    /// <summary>Constant-time comparison of UTF-8 bytes; false for a missing password.</summary>
    public static bool Matches(string? given, string expected) =>
        given is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected));

    /// <summary>
    /// Whether an HTTP Authorization header value is "Bearer &lt;token&gt;" with the configured token (constant-time);
    /// false when no token is configured.
    /// </summary>
    public static bool MatchesBearer(string? authorization, string? token) =>
        token is { Length: > 0 }
        && System.Net.Http.Headers.AuthenticationHeaderValue.TryParse(authorization, out var header)
        && string.Equals(header.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase)
        && Matches(header.Parameter, token);

    /// <summary>
    /// Why a configured secret is unusable (missing, shorter than <see cref="MinLength"/>, or a placeholder
    /// from an example file such as "change-me"), or null when it is acceptable.
    /// </summary>
    public static string? Problem(string? secret)
    {
        if (string.IsNullOrEmpty(secret))
        {
            return "is empty";
        }

        if (secret.Length < MinLength)
        {
            return $"is shorter than {MinLength} characters";
        }

        var lower = secret.ToLowerInvariant();
        return Array.Exists(Placeholders, p => lower == p || (p.Contains('-', StringComparison.Ordinal) && lower.Contains(p, StringComparison.Ordinal)))
            ? "is a placeholder from an example file; generate one (e.g. openssl rand -hex 16)"
            : null;
    }
}
