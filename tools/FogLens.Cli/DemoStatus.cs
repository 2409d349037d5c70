using FogLens.AgeModel;
using System.Net.Http.Json;
using FogLens.Launch;
using FogLens.PipelineEval;
using Spectre.Console;

namespace FogLens.Cli;

/// <summary>The demo's live status table: every tier's state, rates and sources, and the counted age mix against the
/// feeds' true ages.</summary>
internal static class DemoStatus
{
    /// <summary>Prints the status table every 10 s until cancelled (throws) or a tier dies (returns it).</summary>
    public static async Task<ChildProcess> StreamAsync(Site site, SiteOptions options, IReadOnlyList<DemoPerson>? truth, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        using var portal = new HttpClient(new HttpClientHandler { UseCookies = true }) { BaseAddress = site.PortalUrl, Timeout = TimeSpan.FromSeconds(5) };
        var signedIn = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromSeconds(10), cancellationToken);
            if (site.Children.FirstOrDefault(c => c.HasExited) is { } dead)
            {
                return dead;
            }

            signedIn = signedIn || await SignInAsync(portal, options, cancellationToken);
            var edgeRows = signedIn ? await EdgeRowsAsync(portal, cancellationToken) : null;
            var table = new Table().Title($"[grey]{DateTime.Now:HH:mm:ss}[/]").AddColumns("node", "edges", "crops in", "inferred", "windows", "model", "faces/s", "source");
            foreach (var (id, url) in site.Fogs)
            {
                try
                {
                    using var status = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri(url, "/api/status"), cancellationToken));
                    var r = status.RootElement;
                    table.AddRow(id, r.GetProperty("edgesOnline").ToString(), r.GetProperty("cropsReceived").ToString(), r.GetProperty("cropsInferred").ToString(),
                        r.GetProperty("windowsPublished").ToString(), r.GetProperty("modelVersion").ToString(), r.GetProperty("facesPerSecond").ToString(), "");
                }
                catch (Exception ex) when (Unanswered(ex, cancellationToken))
                {
                    table.AddRow(id, "[yellow]unreachable[/]", "", "", "", "", "", "");
                }

                foreach (var edge in edgeRows?.Where(e => e.FogId == id) ?? [])
                {
                    table.AddRow([Markup.Escape(edge.Id), edge.Online ? "online" : "[yellow]offline[/]", "", "", "", "", $"{edge.Rate:0.0} fps", SourceCell(edge)]);
                }
            }

            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(site.PortalUrl, "/metrics"));
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", site.MetricsToken);
                using var response = await http.SendAsync(request, cancellationToken);
                var metrics = (await response.EnsureSuccessStatusCode().Content.ReadAsStringAsync(cancellationToken)).Split('\n');
                string Metric(string name)
                {
                    var full = "foglens_portal_" + name;
                    var line = metrics.FirstOrDefault(l => l.StartsWith(full, StringComparison.Ordinal) && l.Length > full.Length && l[full.Length] is ' ' or '{');
                    return line is null ? "?" : (line[full.Length] == '{' ? line[(line.IndexOf('}', StringComparison.Ordinal) + 1)..] : line[full.Length..]).Trim().Split(' ')[0]; // "name value [ts]" or "name{labels} value [ts]"
                }
                table.AddRow("portal", "", "", "", $"{Metric("demographics_windows_stored_total")} stored", "", $"updates {Metric("updates_accepted_total")}", "");
            }
            catch (Exception ex) when (Unanswered(ex, cancellationToken))
            {
                table.AddRow("portal", "[yellow]unreachable[/]", "", "", "", "", "", "");
            }

            AnsiConsole.Write(table);
            foreach (var edge in edgeRows?.Where(e => e.SourceProblem is { Length: > 0 }) ?? [])
            {
                AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(edge.Id)}: source {Markup.Escape(edge.SourceState?.ToLowerInvariant() ?? "?")}: {Markup.Escape(edge.SourceProblem!)}[/]");
            }

            if (truth is { Count: > 0 } && signedIn)
            {
                try
                {
                    var counted = await portal.GetFromJsonAsync<List<CountedGroup>>("/api/demographics/groups", cancellationToken) ?? [];
                    AnsiConsole.Write(TruthTable(truth, counted));
                }
                catch (Exception ex) when (Unanswered(ex, cancellationToken))
                {
                    signedIn = false;
                }
            }
        }

        throw new OperationCanceledException(cancellationToken);
    }

    /// <summary>A tier that did not answer: refused, failed, or timed out (HttpClient's timeout is a
    /// TaskCanceledException, which must not pass for the user's Ctrl-C and stop the whole demo).</summary>
    private static bool Unanswered(Exception ex, CancellationToken cancellationToken) =>
        ex is HttpRequestException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested);

    private static async Task<bool> SignInAsync(HttpClient portal, SiteOptions options, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await portal.PostAsJsonAsync("/api/auth/login", new { name = options.AdminUser, password = options.AdminPassword }, cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (Unanswered(ex, cancellationToken))
        {
            return false;
        }
    }

    /// <summary>The edges as the portal knows them (relayed by their fogs), or null when the portal does not answer.</summary>
    private static async Task<IReadOnlyList<EdgeRow>?> EdgeRowsAsync(HttpClient portal, CancellationToken cancellationToken)
    {
        try
        {
            using var nodes = System.Text.Json.JsonDocument.Parse(await portal.GetStringAsync("/api/nodes", cancellationToken));
            return [.. nodes.RootElement.EnumerateArray()
                .Where(n => n.GetProperty("node").GetProperty("kind").GetString() == "edge")
                .Select(n => new EdgeRow(
                    n.GetProperty("node").GetProperty("id").GetString() ?? "?",
                    n.GetProperty("node").GetProperty("fogId").GetString(),
                    n.GetProperty("online").GetBoolean(),
                    n.GetProperty("node").GetProperty("rate").GetDouble(),
                    n.GetProperty("node").GetProperty("sourceState").GetString(),
                    n.GetProperty("node").GetProperty("sourceProblem").GetString()))];
        }
        catch (Exception ex) when (Unanswered(ex, cancellationToken) || ex is System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The source column: "ok" in green, ended/reconnecting in yellow, missing/unreadable in red (reasons print below the table).</summary>
    internal static string SourceCell(EdgeRow edge)
    {
        ArgumentNullException.ThrowIfNull(edge);
        var state = edge.SourceState?.ToLowerInvariant();
        return state switch
        {
            null => "[grey]-[/]",
            "ok" => "[green]ok[/]",
            "ended" or "reconnecting" => $"[yellow]{state}[/]",
            _ => $"[red]{Markup.Escape(state)}[/]",
        };
    }

    /// <summary>Shares of the age groups the portal counted against the true ages of the people in the feeds.</summary>
    private static Table TruthTable(IReadOnlyList<DemoPerson> truth, List<CountedGroup> counted)
    {
        var groups = AgeGroupSet.Default;
        var trueCounts = new double[groups.Count];
        foreach (var person in truth)
        {
            trueCounts[groups.IndexOf(person.Age)]++;
        }

        var countedCounts = groups.Groups.Select(g => (double)counted.Where(c => c.Label == g.Label).Sum(c => c.Faces)).ToArray();
        var total = countedCounts.Sum();
        var tv = HistogramDistance.TotalVariation(trueCounts, countedCounts);
        var table = new Table().Title($"[grey]age groups: counted by the portal ({total:N0} faces) vs true (the {truth.Count} people in the feeds); total variation {(total > 0 ? tv.ToString("P0", System.Globalization.CultureInfo.InvariantCulture) : "n/a")}[/]")
            .AddColumn("");
        foreach (var g in groups.Groups)
        {
            table.AddColumn(g.Label);
        }

        table.AddRow(["counted", .. countedCounts.Select(c => total > 0 ? (c / total).ToString("P0", System.Globalization.CultureInfo.InvariantCulture) : "-")]);
        table.AddRow(["true", .. trueCounts.Select(c => (c / truth.Count).ToString("P0", System.Globalization.CultureInfo.InvariantCulture))]);
        return table;
    }

    private sealed record CountedGroup(string Label, int MinAge, long Faces);

    /// <summary>One edge in the status table.</summary>
    internal sealed record EdgeRow(string Id, string? FogId, bool Online, double Rate, string? SourceState, string? SourceProblem);
}
