using System.CommandLine;
using FogLens.AgeModel;
using FogLens.AgeModel.Data;
using Spectre.Console;

namespace FogLens.Cli;

/// <summary>`./foglens demo`: starts the suite on embedded defaults and prints the portal URL.</summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "Port of the cloud portal on 127.0.0.1.", DefaultValueFactory = _ => 5080 };
        var dataDir = new Option<DirectoryInfo>("--data-dir")
        {
            Description = "Where the demo keeps its databases, outboxes and logs.",
            DefaultValueFactory = _ => new DirectoryInfo(Path.Combine(RepoLayout.Root, ".foglens", "demo")),
        };
        var command = new Command("demo", "Run the FogLens suite on embedded defaults (cloud portal with SQLite and its embedded broker, two fog services, two edge agents per fog on demo feeds; federated rounds when labelled data is present) until Ctrl-C.")
        {
            port,
            dataDir,
        };
        command.SetAction((result, token) => RunAsync(result.GetValue(port), result.GetRequiredValue(dataDir), token));
        return command;
    }

    private const string AdminPassword = "foglens-demo";

    private static async Task<int> RunAsync(int port, DirectoryInfo dataDir, CancellationToken cancellationToken)
    {
        dataDir.Create();
        var url = $"http://127.0.0.1:{port}";
        var cloudBrokerPort = port + 23;
        const int fogs = 2;
        const int edgesPerFog = 2;
        var logs = dataDir.FullName;
        var dataset = Environment.GetEnvironmentVariable(UtkFaceDataset.EnvironmentVariable) is { Length: > 0 } d && Directory.Exists(d) ? Path.GetFullPath(d) : null;
        AnsiConsole.MarkupLine($"[bold]FogLens demo[/]: cloud portal, {fogs} fog services, {edgesPerFog} edge agents per fog on demo camera feeds built from Debian photos.");
        var partitions = dataset is null ? null : Partition(dataset, fogs, Path.Combine(logs, "partitions"));
        if (partitions is null)
        {
            AnsiConsole.MarkupLine($"[yellow]Federated training needs labelled faces: set {UtkFaceDataset.EnvironmentVariable} to a UTKFace folder (or place ../shared/datasets/utkface-part1) and the demo partitions it across the fogs and runs rounds every 2 minutes.[/]");
        }

        var children = new List<ChildProcess>();
        try
        {
            string[] portalArgs =
            [
                "--urls", url, $"--Portal:DataDirectory={Path.Combine(logs, "portal")}", $"--Portal:PublicUrl={url}",
                $"--Broker:Port={cloudBrokerPort}", $"--Federated:BaseModel={Path.Combine(RepoLayout.Root, "models", "age")}",
                "--Auth:AdminUser=admin", $"--Auth:AdminPassword={AdminPassword}",
                .. partitions is null ? Array.Empty<string>() :
                [
                    $"--Federated:EvaluationData={dataset}", "--Federated:EvaluationLimit=400", "--Federated:AutoRoundInterval=00:02:00",
                    "--Federated:Deadline=00:04:00", "--Federated:MinQuorum=1",
                ],
            ];
            children.Add(ChildProcess.Start("cloud-portal", RepoLayout.Deployable("cloud-portal", "FogLens.CloudPortal"), portalArgs,
                new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production" }, Path.Combine(logs, "cloud-portal.log")));
            if (!await WaitHealthyAsync(new Uri(url + "/readyz"), children[0], cancellationToken))
            {
                AnsiConsole.MarkupLine($"[red]The portal did not become ready; see {Markup.Escape(Path.Combine(logs, "cloud-portal.log"))}[/]");
                return 1;
            }

            var fogUrls = new List<(string Id, string Url)>();
            for (var f = 1; f <= fogs; f++)
            {
                var id = $"fog-{f}";
                var fogUrl = $"http://127.0.0.1:{port + (20 * f) + 1}";
                var edgePort = port + (20 * f) + 2;
                string[] fogArgs =
                [
                    "--urls", fogUrl, $"--Fog:FogId={id}", $"--Fog:DataDirectory={Path.Combine(logs, id)}",
                    $"--Fog:ModelPath={Path.Combine(RepoLayout.Root, "models", "age", "age-net.onnx")}", "--Fog:Window=00:00:20",
                    $"--EdgeBroker:Port={edgePort}", $"--Cloud:Broker=mqtt://127.0.0.1:{cloudBrokerPort}",
                    .. partitions is null ? Array.Empty<string>() : [$"--Federated:LocalData={partitions[f - 1]}", $"--Federated:DatasetDirectory={dataset}"],
                ];
                var fog = ChildProcess.Start(id, RepoLayout.Deployable("fog-service", "FogLens.FogService"), fogArgs, null, Path.Combine(logs, id + ".log"));
                children.Add(fog);
                if (!await WaitHealthyAsync(new Uri(fogUrl + "/readyz"), fog, cancellationToken))
                {
                    AnsiConsole.MarkupLine($"[red]{id} did not become ready; see {Markup.Escape(Path.Combine(logs, id + ".log"))}[/]");
                    return 1;
                }

                fogUrls.Add((id, fogUrl));
                for (var e = 1; e <= edgesPerFog; e++)
                {
                    var n = ((f - 1) * edgesPerFog) + e;
                    var scene = DemoScenes.Build(Path.Combine(logs, "scenes", $"camera-{n}"), n);
                    children.Add(ChildProcess.Start($"edge-{n}", RepoLayout.Deployable("edge-agent", "FogLens.EdgeAgent"),
                        ["--source", scene, "--loop", "--edge-id", $"edge-{n}", "--camera-id", $"cam-{n}", "--fog", $"mqtt://127.0.0.1:{edgePort}", "--outbox", Path.Combine(logs, $"edge-{n}-outbox")],
                        null, Path.Combine(logs, $"edge-{n}.log")));
                }
            }

            AnsiConsole.MarkupLine($"Portal: [link]{url}[/]  (log in as [bold]admin[/] / [bold]{AdminPassword}[/])   Logs: {Markup.Escape(logs)}   Ctrl-C stops the demo.");
            await StreamStatusAsync(url, fogUrls, children, logs, cancellationToken);
            return 0;
        }
        catch (OperationCanceledException)
        {
            AnsiConsole.MarkupLine("Stopping...");
            return 0;
        }
        finally
        {
            foreach (var child in Enumerable.Reverse(children))
            {
                await child.DisposeAsync();
            }
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

    private static async Task StreamStatusAsync(string portal, List<(string Id, string Url)> fogs, List<ChildProcess> children, string logs, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromSeconds(10), cancellationToken);
            if (children.FirstOrDefault(c => c.HasExited) is { } dead)
            {
                AnsiConsole.MarkupLine($"[red]{dead.Name} exited unexpectedly; see {Markup.Escape(Path.Combine(logs, dead.Name + ".log"))}[/]");
                return;
            }

            var table = new Table().Title($"[grey]{DateTime.Now:HH:mm:ss}[/]").AddColumns("node", "edges online", "crops in", "inferred", "windows sent", "model", "faces/s");
            foreach (var (id, url) in fogs)
            {
                try
                {
                    using var status = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri(url + "/api/status"), cancellationToken));
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
                var metrics = (await http.GetStringAsync(new Uri(portal + "/metrics"), cancellationToken)).Split('\n');
                string Metric(string name) => metrics.FirstOrDefault(l => l.StartsWith("foglens_portal_" + name + " ", StringComparison.Ordinal))?.Split(' ')[1] ?? "?";
                table.AddRow("portal", "", "", "", $"{Metric("demographics_windows_stored_total")} stored", "", $"updates {Metric("updates_accepted_total")}");
            }
            catch (HttpRequestException)
            {
                table.AddRow("portal", "[yellow]unreachable[/]", "", "", "", "", "");
            }

            AnsiConsole.Write(table);
        }
    }

    private static async Task<bool> WaitHealthyAsync(Uri health, ChildProcess process, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                using var response = await http.GetAsync(health, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Request timeout; try again.
            }

            await Task.Delay(250, cancellationToken);
        }

        return false;
    }
}
