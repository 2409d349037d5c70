using System.CommandLine;
using FogLens.AgeModel;
using FogLens.AgeModel.Data;
using System.Net.Http.Json;
using FogLens.Cli.Launch;
using FogLens.PipelineEval;
using Spectre.Console;

namespace FogLens.Cli;

/// <summary>`./foglens demo`: starts the suite on embedded defaults (or Mosquitto + PostgreSQL) and prints the portal URL.</summary>
internal static class DemoCommand
{
    private const string AdminPassword = "foglens-demo";

    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "Port of the cloud portal on 127.0.0.1; the other tiers use the ports after it.", DefaultValueFactory = _ => 5080 };
        var dataDir = new Option<DirectoryInfo>("--data-dir")
        {
            Description = "Where the demo keeps its databases, outboxes, generated credentials and logs.",
            DefaultValueFactory = _ => new DirectoryInfo(Path.Combine(RepoLayout.Root, ".foglens", "demo")),
        };
        var external = new Option<bool>("--external") { Description = "Use Mosquitto (generated password file and ACL) as the cloud broker and PostgreSQL as the portal database, both started on 127.0.0.1." };
        var fogs = new Option<int>("--fogs") { Description = "Fog services.", DefaultValueFactory = _ => 2 };
        var edges = new Option<int>("--edges-per-fog") { Description = "Edge agents per fog.", DefaultValueFactory = _ => 2 };
        var source = new Option<string[]>("--source")
        {
            Description = "Camera source(s) for the edge agents instead of the demo feeds: video file, image folder, camera index or rtsp:// / http:// URL (edges take them in turn).",
            AllowMultipleArgumentsPerToken = true,
        };
        var command = new Command("demo", "Run the FogLens suite (cloud portal with SQLite and its embedded broker, two fog services, two edge agents per fog on demo feeds built from Debian photos; federated rounds when labelled data is present) until Ctrl-C.")
        {
            port,
            dataDir,
            external,
            fogs,
            edges,
            source,
        };
        command.SetAction((result, token) => RunAsync(
            new SiteOptions
            {
                DataDirectory = result.GetRequiredValue(dataDir).FullName,
                BasePort = result.GetValue(port),
                External = result.GetValue(external),
                Fogs = result.GetValue(fogs),
                EdgesPerFog = result.GetValue(edges),
                AdminPassword = AdminPassword,
                EdgeSource = _ => string.Empty,
            },
            result.GetValue(source) ?? [],
            token));
        return command;
    }

    private static async Task<int> RunAsync(SiteOptions options, string[] sources, CancellationToken cancellationToken)
    {
        if (options.Fogs is < 1 or > 8 || options.EdgesPerFog is < 1 or > 8)
        {
            AnsiConsole.MarkupLine("[red]--fogs and --edges-per-fog must be between 1 and 8[/]");
            return 2;
        }

        var root = options.DataDirectory;
        var dataset = Environment.GetEnvironmentVariable(UtkFaceDataset.EnvironmentVariable) is { Length: > 0 } d && Directory.Exists(d) ? Path.GetFullPath(d) : null;
        AnsiConsole.MarkupLine($"[bold]FogLens demo[/]: cloud portal ({(options.External ? "Mosquitto + PostgreSQL" : "SQLite + embedded broker")}), {options.Fogs} fog services, {options.EdgesPerFog} edge agents per fog on {(sources.Length > 0 ? "your sources" : "demo camera feeds")}.");
        if (dataset is null)
        {
            AnsiConsole.MarkupLine($"[yellow]Federated training needs labelled faces: set {UtkFaceDataset.EnvironmentVariable} to a UTKFace folder (or place ../shared/datasets/utkface-part1) and the demo partitions it across the fogs and runs a round every 2 minutes.[/]");
        }

        // With labelled faces, the demo cameras show many different people whose true ages are known, so the
        // portal's histogram can be compared with the truth; without, the same face walks through every feed.
        var cameras = options.Fogs * options.EdgesPerFog;
        var labelledFaces = sources.Length == 0 && dataset is not null ? LabelledDemoScenes.Faces(dataset) : null;
        string SceneFolder(int n) => Path.Combine(root, labelledFaces is null ? "scenes" : "labelled-scenes", $"camera-{n}");
        if (labelledFaces is not null)
        {
            AnsiConsole.MarkupLine($"Camera feeds: {LabelledDemoScenes.PeoplePerCamera} labelled people per camera from the dataset's training split, 48–128 px faces, camera degradations; the status compares the portal's age groups with their true ages.");
            for (var n = 1; n <= cameras; n++)
            {
                AnsiConsole.MarkupLine($"[grey]rendering the feed of camera {n} of {cameras} (once; kept in {Markup.Escape(SceneFolder(n))})[/]");
                LabelledDemoScenes.Build(SceneFolder(n), n, labelledFaces);
            }
        }
        else if (sources.Length == 0)
        {
            AnsiConsole.MarkupLine("[yellow]Camera feeds: one face (from Debian's messi5.jpg) walking through Debian photos, because no labelled dataset was found; there is no true histogram to compare with.[/]");
        }

        var truth = labelledFaces is null ? null : LabelledDemoScenes.Truth(Enumerable.Range(1, cameras).Select(SceneFolder));
        options = options with
        {
            EdgeSource = n => sources.Length > 0 ? sources[(n - 1) % sources.Length] : labelledFaces is not null ? SceneFolder(n) : DemoScenes.Build(SceneFolder(n), n),
            LoopSources = sources.Length == 0,
            Federated = dataset is null ? null : (Partition(dataset, options.Fogs, Path.Combine(root, "partitions")), dataset),
            AutoRoundInterval = dataset is null ? TimeSpan.Zero : TimeSpan.FromMinutes(2),
            PortalArguments = dataset is null ? [] : ["--Federated:Deadline=00:04:00"],
        };
        try
        {
            await using var site = await Site.StartAsync(options, line => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(line)}[/]"), cancellationToken);
            AnsiConsole.MarkupLine($"Portal: [link]{site.PortalUrl}[/]  (log in as [bold]{options.AdminUser}[/] / [bold]{AdminPassword}[/])   Logs: {Markup.Escape(Path.Combine(root, "logs"))}   Ctrl-C stops the demo.");
            await StreamStatusAsync(site, options, truth, cancellationToken);
            return 0;
        }
        catch (OperationCanceledException)
        {
            AnsiConsole.MarkupLine("Stopped.");
            return 0;
        }
        catch (Exception ex) when (ex is SiteException or FileNotFoundException or InvalidOperationException)
        {
            AnsiConsole.MarkupLine($"[red]{Markup.Escape(ex.Message)}[/]");
            return 1;
        }
    }

    /// <summary>Writes one file list per fog from the training split (at most 1,200 faces each, so a local round takes under a minute).</summary>
    private static string[] Partition(string dataset, int fogs, string folder)
    {
        var (train, _) = DatasetSplit.Split(UtkFaceDataset.Scan(dataset).Samples);
        var parts = DatasetPartitioner.Partition(train, fogs, PartitionScheme.Iid, 0.5, 1, AgeGroupSet.Default);
        var limited = parts.Select(p => (IReadOnlyList<FaceSample>)[.. p.Take(1200)]).ToList();
        return [.. DatasetPartitioner.Write(limited, folder)];
    }

    private static async Task StreamStatusAsync(Site site, SiteOptions options, IReadOnlyList<DemoPerson>? truth, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        using var portal = new HttpClient(new HttpClientHandler { UseCookies = true }) { BaseAddress = site.PortalUrl, Timeout = TimeSpan.FromSeconds(5) };
        var signedIn = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromSeconds(10), cancellationToken);
            if (site.Children.FirstOrDefault(c => c.HasExited) is { } dead)
            {
                AnsiConsole.MarkupLine($"[red]{dead.Name} exited unexpectedly; see {Markup.Escape(dead.Spec.LogPath)}[/]");
                return;
            }

            var table = new Table().Title($"[grey]{DateTime.Now:HH:mm:ss}[/]").AddColumns("node", "edges online", "crops in", "inferred", "windows sent", "model", "faces/s");
            foreach (var (id, url) in site.Fogs)
            {
                try
                {
                    using var status = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri(url, "/api/status"), cancellationToken));
                    var r = status.RootElement;
                    table.AddRow(id, r.GetProperty("edgesOnline").ToString(), r.GetProperty("cropsReceived").ToString(), r.GetProperty("cropsInferred").ToString(),
                        r.GetProperty("windowsPublished").ToString(), r.GetProperty("modelVersion").ToString(), r.GetProperty("facesPerSecond").ToString());
                }
                catch (HttpRequestException)
                {
                    table.AddRow(id, "[yellow]unreachable[/]", "", "", "", "", "");
                }
            }

            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(site.PortalUrl, "/metrics"));
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", site.MetricsToken);
                using var response = await http.SendAsync(request, cancellationToken);
                var metrics = (await response.EnsureSuccessStatusCode().Content.ReadAsStringAsync(cancellationToken)).Split('\n');
                string Metric(string name) => metrics.FirstOrDefault(l => l.StartsWith("foglens_portal_" + name + " ", StringComparison.Ordinal))?.Split(' ')[1] ?? "?";
                table.AddRow("portal", "", "", "", $"{Metric("demographics_windows_stored_total")} stored", "", $"updates {Metric("updates_accepted_total")}");
            }
            catch (HttpRequestException)
            {
                table.AddRow("portal", "[yellow]unreachable[/]", "", "", "", "", "");
            }

            AnsiConsole.Write(table);
            if (truth is { Count: > 0 })
            {
                try
                {
                    signedIn = signedIn || (await portal.PostAsJsonAsync("/api/auth/login", new { name = options.AdminUser, password = options.AdminPassword }, cancellationToken)).IsSuccessStatusCode;
                    var counted = await portal.GetFromJsonAsync<List<CountedGroup>>("/api/demographics/groups", cancellationToken) ?? [];
                    AnsiConsole.Write(TruthTable(truth, counted));
                }
                catch (HttpRequestException)
                {
                    signedIn = false;
                }
            }
        }
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
}
