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
        var command = new Command("demo", "Run the FogLens suite on embedded defaults (SQLite, embedded MQTT broker) until Ctrl-C.")
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
        AnsiConsole.MarkupLine("[bold]FogLens demo[/]");
        AnsiConsole.MarkupLine("[yellow]This build starts the cloud portal host alone: the fog services and edge agents are not implemented yet.[/]");

        await using var portal = ChildProcess.Start(
            "cloud-portal",
            RepoLayout.Deployable("cloud-portal", "FogLens.CloudPortal"),
            ["--urls", url],
            new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production" },
            Path.Combine(dataDir.FullName, "cloud-portal.log"));

        if (!await WaitHealthyAsync(new Uri(url + "/healthz"), portal, cancellationToken))
        {
            AnsiConsole.MarkupLine($"[red]The portal did not become healthy; see {Markup.Escape(Path.Combine(dataDir.FullName, "cloud-portal.log"))}[/]");
            return 1;
        }

        AnsiConsole.MarkupLine($"Portal: [link]{url}[/]   (Ctrl-C stops the demo)");
        try
        {
            while (!portal.HasExited)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }

            AnsiConsole.MarkupLine("[red]The portal exited unexpectedly.[/]");
            return 1;
        }
        catch (OperationCanceledException)
        {
            AnsiConsole.MarkupLine("Stopping...");
            return 0;
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
