namespace FogLens.Contracts;

/// <summary>
/// Character sets of the free-text fields nodes send (model versions, age-group labels): they end up in
/// pages, CSV cells, file names and log lines, so they are held to short ASCII tokens.
/// </summary>
public static class SafeText
{
    /// <summary>Longest model version.</summary>
    public const int MaxModelVersionLength = 64;

    /// <summary>Longest age-group label.</summary>
    public const int MaxLabelLength = 16;

    /// <summary>1–64 characters of A–Z, a–z, 0–9, '.', '-' or '_' (e.g. "age-v1", "fl-r12").</summary>
    public static bool IsModelVersion(string? value) => Matches(value, MaxModelVersionLength, c => c is '.' or '-' or '_');

    /// <summary>1–16 characters of A–Z, a–z, 0–9, '-', '+' or '_' (e.g. "0-2", "70+").</summary>
    public static bool IsGroupLabel(string? value) => Matches(value, MaxLabelLength, c => c is '-' or '+' or '_');

    private static bool Matches(string? value, int maxLength, Func<char, bool> extra)
    {
        if (string.IsNullOrEmpty(value) || value.Length > maxLength)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || extra(c)))
            {
                return false;
            }
        }

        return true;
    }
}
