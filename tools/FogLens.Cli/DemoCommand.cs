using System.CommandLine;
using FogLens.AgeModel;
using FogLens.AgeModel.Data;
using FogLens.Launch;
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
            var dead = await DemoStatus.StreamAsync(site, options, truth, cancellationToken);
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
        // The fogs' sites see mostly children and elderly (the site pool of the site-shift scenario), a population the
        // shipped model serves worse than the adults it mostly learnt from: what federated fine-tuning is for. The
        // portal measures new versions on the same population in the validation split (Federated:EvaluationPopulation).
        var (train, _) = DatasetSplit.Split(UtkFaceDataset.Scan(dataset).Samples);
        var sites = FogLens.Federated.Experiments.SiteShiftScenario.Divide(train).Sites;
        var parts = DatasetPartitioner.Partition(sites, fogs, PartitionScheme.Iid, 0.5, 1, AgeGroupSet.Default);
        var limited = parts.Select(p => (IReadOnlyList<FaceSample>)[.. p.Take(1200)]).ToList();
        return [.. DatasetPartitioner.Write(limited, folder)];
    }
}
