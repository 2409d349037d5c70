using System.CommandLine;
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
        var command = new Command("demo", "Run the FogLens suite on embedded defaults (cloud portal host, a fog service with its embedded broker, two edge agents on demo feeds) until Ctrl-C.")
        {
            port,
            dataDir,
        };
        command.SetAction((result, token) => RunAsync(result.GetValue(port), result.GetRequiredValue(dataDir), token));
        return command;
    }

    private static async Task<int> RunAsync(int port, DirectoryInfo dataDir, CancellationToken cancellationToken)
    {
        dataDir.Create();
        var url = $"http://127.0.0.1:{port}";
        var fogUrl = $"http://127.0.0.1:{port + 21}";
        var edgeBrokerPort = port + 22;
        AnsiConsole.MarkupLine("[bold]FogLens demo[/]: cloud portal host, one fog service, two edge agents on demo camera feeds.");
        AnsiConsole.MarkupLine("[yellow]Not implemented yet: the portal's ingest, dashboards and federated coordinator (issue 6). The fog's demographics wait in its outbox until a cloud broker exists.[/]");

        var logs = dataDir.FullName;
        var children = new List<ChildProcess>();
        try
        {
            children.Add(ChildProcess.Start("cloud-portal", RepoLayout.Deployable("cloud-portal", "FogLens.CloudPortal"), ["--urls", url],
                new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production" }, Path.Combine(logs, "cloud-portal.log")));
            children.Add(ChildProcess.Start("fog-1", RepoLayout.Deployable("fog-service", "FogLens.FogService"),
                ["--urls", fogUrl, "--Fog:FogId=fog-1", $"--Fog:DataDirectory={Path.Combine(logs, "fog-1")}",
                 $"--Fog:ModelPath={Path.Combine(RepoLayout.Root, "models", "age", "age-net.onnx")}", "--Fog:Window=00:00:30",
                 $"--EdgeBroker:Port={edgeBrokerPort}", $"--Cloud:Broker=mqtt://127.0.0.1:{port + 23}"],
                null, Path.Combine(logs, "fog-1.log")));
            if (!await WaitHealthyAsync(new Uri(url + "/healthz"), children[0], cancellationToken)
                || !await WaitHealthyAsync(new Uri(fogUrl + "/readyz"), children[1], cancellationToken))
            {
                AnsiConsole.MarkupLine($"[red]A tier did not become healthy; logs are in {Markup.Escape(logs)}[/]");
                return 1;
            }

            for (var e = 1; e <= 2; e++)
            {
                var scene = DemoScenes.Build(Path.Combine(logs, "scenes", $"camera-{e}"), e);
                children.Add(ChildProcess.Start($"edge-{e}", RepoLayout.Deployable("edge-agent", "FogLens.EdgeAgent"),
                    ["--source", scene, "--loop", "--edge-id", $"edge-{e}", "--fog", $"mqtt://127.0.0.1:{edgeBrokerPort}", "--outbox", Path.Combine(logs, $"edge-{e}-outbox")],
                    null, Path.Combine(logs, $"edge-{e}.log")));
            }

            AnsiConsole.MarkupLine($"Portal: [link]{url}[/]   Fog status: [link]{fogUrl}/api/status[/]   Logs: {Markup.Escape(logs)}   (Ctrl-C stops the demo)");
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
                if (children.FirstOrDefault(c => c.HasExited) is { } dead)
                {
                    AnsiConsole.MarkupLine($"[red]{dead.Name} exited unexpectedly; see {Markup.Escape(Path.Combine(logs, dead.Name + ".log"))}[/]");
                    return 1;
                }

                try
                {
                    using var status = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri(fogUrl + "/api/status"), cancellationToken));
                    var r = status.RootElement;
                    AnsiConsole.MarkupLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                        $"[grey]{DateTime.Now:HH:mm:ss}[/] fog-1: edges online {r.GetProperty("edgesOnline")}, crops received {r.GetProperty("cropsReceived")}, inferred {r.GetProperty("cropsInferred")}, windows {r.GetProperty("windowsPublished")}, model {r.GetProperty("modelVersion")}"));
                }
                catch (HttpRequestException)
                {
                    AnsiConsole.MarkupLine("[yellow]fog-1 status unavailable[/]");
                }
            }

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
