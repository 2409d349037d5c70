namespace FogLens.CloudPortal.Data;

/// <summary>
/// Orders names as people count: digit runs compare by value ("edge-2" before "edge-10"), the rest ordinally.
/// Culture-free (the portal runs with invariant globalization).
/// </summary>
public sealed class NaturalStringComparer : IComparer<string?>
{
    public static NaturalStringComparer Instance { get; } = new();

    public int Compare(string? x, string? y)
    {
        if (x is null || y is null)
        {
            return x is null ? (y is null ? 0 : -1) : 1;
        }

        int i = 0, j = 0;
        while (i < x.Length && j < y.Length)
        {
            if (char.IsAsciiDigit(x[i]) && char.IsAsciiDigit(y[j]))
            {
                var (a, nextI) = DigitRun(x, i);
                var (b, nextJ) = DigitRun(y, j);
                var byValue = CompareDigits(a, b);
                if (byValue != 0)
                {
                    return byValue;
                }

                (i, j) = (nextI, nextJ);
                continue;
            }

            var c = x[i].CompareTo(y[j]);
            if (c != 0)
            {
                return c;
            }

            i++;
            j++;
        }

        return (x.Length - i).CompareTo(y.Length - j);
    }

    private static (ReadOnlyMemory<char> Digits, int Next) DigitRun(string s, int start)
    {
        var end = start;
        while (end < s.Length && char.IsAsciiDigit(s[end]))
        {
            end++;
        }

        return (s.AsMemory(start, end - start), end);
    }

    /// <summary>Compares two digit runs by value without parsing (any length), then by length (leading zeros last).</summary>
    private static int CompareDigits(ReadOnlyMemory<char> a, ReadOnlyMemory<char> b)
    {
        var x = a.Span.TrimStart('0');
        var y = b.Span.TrimStart('0');
        if (x.Length != y.Length)
        {
            return x.Length.CompareTo(y.Length);
        }

        var c = x.SequenceCompareTo(y);
        return c != 0 ? c : a.Length.CompareTo(b.Length);
    }
}
