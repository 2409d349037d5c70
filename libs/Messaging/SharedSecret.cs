using System.Security.Cryptography;
using System.Text;

namespace FogLens.Messaging;

/// <summary>Password comparison for the embedded brokers.</summary>
public static class SharedSecret
{
    /// <summary>Constant-time comparison of UTF-8 bytes; false for a missing password.</summary>
    public static bool Matches(string? given, string expected) =>
        given is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected));
}
