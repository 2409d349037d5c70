using System.Text.RegularExpressions;

namespace FogLens.Tests.Shared;

/// <summary>The series names the shipped Grafana dashboard (deploy/grafana) queries.</summary>
internal static partial class GrafanaDashboard
{
    /// <summary>Every distinct <c>foglens_{tier}_*</c> name in the dashboard's queries.</summary>
    public static IReadOnlyList<string> MetricNames(string tier)
    {
        var text = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "deploy", "grafana", "foglens-dashboard.json"));
        return [.. SeriesName().Matches(text).Select(m => m.Value).Where(n => n.StartsWith("foglens_" + tier + "_", StringComparison.Ordinal)).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>Asserts that a scrape serves every series of <paramref name="tier"/> the dashboard queries.</summary>
    public static void AssertServed(string tier, string scrape)
    {
        var names = MetricNames(tier);
        Assert.NotEmpty(names);
        Assert.All(names, name => Assert.True(PrometheusText.Value(scrape, name) is not null, $"the dashboard queries {name}, which the {tier} does not serve"));
    }

    [GeneratedRegex("foglens_[a-z]+_[a-z0-9_]+")]
    private static partial Regex SeriesName();
}
