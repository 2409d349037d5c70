using System.Security.Cryptography;

namespace FogLens.Contracts;

/// <summary>SHA-256 digests as lower-case hex, the form used in messages and model registries.</summary>
public static class Sha256Hex
{
    /// <summary>True for exactly 64 hex digits.</summary>
    public static bool IsValid(string? hex) => hex is { Length: 64 } && hex.All(Uri.IsHexDigit);

    /// <summary>Lower-case hex SHA-256 of <paramref name="data"/>.</summary>
    public static string Of(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>Lower-case hex SHA-256 of a file's bytes (read as a stream).</summary>
    public static string OfFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Case-insensitive comparison of two hex digests.</summary>
    public static bool Equal(string? a, string? b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
