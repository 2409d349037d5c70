using System.Globalization;

namespace FogLens.Tests.Shared;

/// <summary>Reads samples from the Prometheus text exposition format (what a scraper sees).</summary>
internal static class PrometheusText
{
    /// <summary>The value of the sample <paramref name="name"/> whose labels include every one of <paramref name="labels"/>
    /// (<c>key="value"</c> pairs); null when there is none.</summary>
    public static double? Value(string text, string name, params string[] labels)
    {
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith('#') || !line.StartsWith(name, StringComparison.Ordinal))
            {
                continue;
            }

            var rest = line[name.Length..];
            var labelText = string.Empty;
            if (rest.StartsWith('{'))
            {
                var end = rest.IndexOf('}', StringComparison.Ordinal);
                labelText = rest[1..end];
                rest = rest[(end + 1)..];
            }
            else if (!rest.StartsWith(' '))
            {
                continue; // a longer name with this prefix
            }

            if (labels.All(l => labelText.Split(',').Contains(l, StringComparer.Ordinal)))
            {
                return double.Parse(rest.Trim().Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture);
            }
        }

        return null;
    }
}
