using System.CommandLine;
using FogLens.AgeModel;
using FogLens.AgeModel.Data;
using System.Net.Http.Json;
using FogLens.Launch;
using FogLens.PipelineEval;
using Spectre.Console;

namespace FogLens.Cli;

/// <summary>`./foglens demo`: starts the suite on embedded defaults (or Mosquitto + PostgreSQL) and prints the portal URL.</summary>
internal static class DemoCommand
{
    private const string AdminPassword = "foglens-demo";

    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "Port of the cloud portal on 127.0.0.1; the other tiers use the ports after it (up to --port + 20 × fogs + 2).", DefaultValueFactory = _ => 5080 };
        var dataDir = new Option<DirectoryInfo>("--data-dir")
        {
            Description = "Where the demo keeps its databases, outboxes, generated credentials and logs.",
            DefaultValueFactory = _ => new DirectoryInfo(DefaultDataDirectory),
        };
        var fresh = new Option<bool>("--fresh") { Description = "Start with empty databases and outboxes (keeps the rendered camera feeds); without it an earlier run's data is reused." };
        var external = new Option<bool>("--external") { Description = "Use Mosquitto (generated password file and ACL) as the cloud broker and PostgreSQL as the portal database, both started on 127.0.0.1." };
        var fogs = new Option<int>("--fogs") { Description = "Fog services (1-8).", DefaultValueFactory = _ => 2 };
        var edges = new Option<int>("--edges-per-fog") { Description = "Edge agents per fog (1-8).", DefaultValueFactory = _ => 2 };
        var source = new Option<string[]>("--source")
        {
            Description = "Camera source(s) for the edge agents instead of the demo feeds: video file, image folder, camera index or rtsp:// / http:// URL (edges take them in turn).",
            AllowMultipleArgumentsPerToken = true,
        };
        CommandLineChecks.NoOptionAsValue(dataDir);
        CommandLineChecks.NoOptionAsValue(source);
        CommandLineChecks.Range(fogs, 1, 8);
        CommandLineChecks.Range(edges, 1, 8);
        port.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<int>();
            var fogCount = result.Parent is { } parent && parent.GetResult(fogs) is { } f ? f.GetValueOrDefault<int>() : 2;
            var span = Site.PortSpan(Math.Clamp(fogCount, 1, 8));
            if (value != 0 && (value < 1024 || value + span > 65535))
            {
                result.AddError($"--port {value} is out of range: the demo uses ports {value} to {value + span}, which must lie in 1024-65535 (pick --port 1024-{65535 - span}, or 0 for free ports)");
            }
        });
        var command = new Command("demo", "Run the FogLens suite (cloud portal with SQLite and its embedded broker, two fog services, two edge agents per fog on demo feeds built from Debian photos; federated rounds when labelled data is present) until Ctrl-C.")
        {
            port,
            dataDir,
            fresh,
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
            result.GetValue(fresh),
            token));
        return command;
    }

    /// <summary>The demo's data directory unless --data-dir names another (also where `user add` and `token add` look).</summary>
    public static string DefaultDataDirectory => Path.Combine(RepoLayout.Root, ".foglens", "demo");

    private static async Task<int> RunAsync(SiteOptions options, string[] sources, bool fresh, CancellationToken cancellationToken)
    {
        var root = options.DataDirectory;
        DataDirectoryLock held;
        try
        {
            // Before anything is rendered or deleted: another demo on this directory stops this one here.
            held = DataDirectoryLock.Acquire(root);
        }
        catch (SiteException ex)
        {
            return Fail(ex.Message);
        }

        using var dataLock = held;
        if (fresh)
        {
            var removed = DemoData.Clear(root);
            AnsiConsole.MarkupLine($"[grey]--fresh: removed the earlier run's data ({Markup.Escape(string.Join(", ", removed.DefaultIfEmpty("nothing to remove")))}).[/]");
        }
        else if (DemoData.Describe(root) is { } earlier)
        {
            AnsiConsole.MarkupLine($"[yellow]Reusing the data of an earlier run in {Markup.Escape(root)} ({Markup.Escape(earlier)}): the portal's counts continue from it. Add --fresh to start empty.[/]");
        }

        try
        {
            // Another demo (or any program) on these ports stops this one before the feeds are rendered.
            Site.CheckFree(options);
        }
        catch (SiteException ex)
        {
            return Fail(ex.Message);
        }

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
            var dead = await StreamStatusAsync(site, options, truth, cancellationToken);
            return Fail($"{dead.Name} exited unexpectedly (exit code {dead.ExitCode}){(LogTail.LastProblem(dead.Spec.LogPath) is { } last ? ": " + last : string.Empty)}; log: {dead.Spec.LogPath}");
        }
        catch (OperationCanceledException)
        {
            AnsiConsole.MarkupLine("Stopped.");
            return 0;
        }
        catch (SiteException ex)
        {
            return Fail(ex.Message);
        }
        catch (Exception ex) when (ex is FileNotFoundException or InvalidOperationException or IOException)
        {
            return Fail(ex.Message);
        }
    }

    /// <summary>One red line on stderr and exit code 1.</summary>
    private static int Fail(string message)
    {
        Console.Error.WriteLine($"foglens: error: {message}");
        return 1;
    }

    /// <summary>Writes one file list per fog from the training split (at most 1,200 faces each, so a local round takes under a minute).</summary>
    private static string[] Partition(string dataset, int fogs, string folder)
    {
        var (train, _) = DatasetSplit.Split(UtkFaceDataset.Scan(dataset).Samples);
        var parts = DatasetPartitioner.Partition(train, fogs, PartitionScheme.Iid, 0.5, 1, AgeGroupSet.Default);
        var limited = parts.Select(p => (IReadOnlyList<FaceSample>)[.. p.Take(1200)]).ToList();
        return [.. DatasetPartitioner.Write(limited, folder)];
    }

    /// <summary>Prints the status table every 10 s until cancelled (throws) or a tier dies (returns it).</summary>
    private static async Task<ChildProcess> StreamStatusAsync(Site site, SiteOptions options, IReadOnlyList<DemoPerson>? truth, CancellationToken cancellationToken)
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
                catch (HttpRequestException)
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
                string Metric(string name) => metrics.FirstOrDefault(l => l.StartsWith("foglens_portal_" + name + " ", StringComparison.Ordinal))?.Split(' ')[1] ?? "?";
                table.AddRow("portal", "", "", "", $"{Metric("demographics_windows_stored_total")} stored", "", $"updates {Metric("updates_accepted_total")}", "");
            }
            catch (HttpRequestException)
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
                catch (HttpRequestException)
                {
                    signedIn = false;
                }
            }
        }

        throw new OperationCanceledException(cancellationToken);
    }

    private static async Task<bool> SignInAsync(HttpClient portal, SiteOptions options, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await portal.PostAsJsonAsync("/api/auth/login", new { name = options.AdminUser, password = options.AdminPassword }, cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
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
        catch (Exception ex) when (ex is HttpRequestException or System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
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
