using System.CommandLine;
using System.Text.Json;
using FogLens.Cli.Load;
using Spectre.Console;

namespace FogLens.Cli;

/// <summary>`./foglens bench load`: simulated fogs against one or more portals; throughput, latency and CPU per process.</summary>
internal static class BenchCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create()
    {
        var fogs = new Option<int>("--fogs") { Description = "Simulated fogs (MQTT clients with their own credentials).", DefaultValueFactory = _ => 200 };
        var edges = new Option<int>("--edges-per-fog") { Description = "Edges (cameras) per fog; each closes one window per --window.", DefaultValueFactory = _ => 10 };
        var window = new Option<double>("--window") { Description = "Window length in seconds (an edge's windows per second = 1 / window).", DefaultValueFactory = _ => 60 };
        var duration = new Option<double>("--duration") { Description = "Seconds of live load.", DefaultValueFactory = _ => 120 };
        var burst = new Option<bool>("--burst") { Description = "Each fog first sends the backlog of an outage (--backlog minutes of windows per edge) as fast as it can, while the live load runs." };
        var backlog = new Option<double>("--backlog") { Description = "Outage length in minutes for --burst.", DefaultValueFactory = _ => 60 };
        var replicas = new Option<int>("--replicas") { Description = "Portal replicas (more than one needs --database postgres).", DefaultValueFactory = _ => 1 };
        var database = new Option<string>("--database") { Description = "postgres (with Mosquitto) or sqlite (with the portal's embedded broker).", DefaultValueFactory = _ => "postgres" };
        database.AcceptOnlyFromAmong("postgres", "sqlite");
        var saveEvery = new Option<int>("--broker-save-every") { Description = "Mosquitto saves its persistence file after this many changes (1, as shipped: after every queued message).", DefaultValueFactory = _ => 1 };
        var dataDir = new Option<DirectoryInfo?>("--data-dir") { Description = "Folder for the broker, databases and logs (default: a new temporary folder, deleted afterwards)." };
        var output = new Option<FileInfo?>("--out") { Description = "Write the JSON summary here (windows_per_s, p50_ms, p95_ms, p99_ms, errors, replicas, ...)." };
        CommandLineChecks.NoOptionAsValue(database);
        CommandLineChecks.NoOptionAsValue(output);
        var load = new Command("load", "Simulated fogs publish demographics windows and status over MQTT to the portal set-up started here; measures throughput, latency (window close to row committed) and CPU.")
        {
            fogs, edges, window, duration, burst, backlog, replicas, database, saveEvery, dataDir, output,
        };
        load.SetAction(async (result, cancellationToken) =>
        {
            var temporary = result.GetValue(dataDir) is null;
            var folder = result.GetValue(dataDir)?.FullName ?? Directory.CreateTempSubdirectory("foglens-load-").FullName;
            var options = new LoadOptions
            {
                Fogs = result.GetValue(fogs),
                EdgesPerFog = result.GetValue(edges),
                Window = TimeSpan.FromSeconds(result.GetValue(window)),
                Duration = TimeSpan.FromSeconds(result.GetValue(duration)),
                Backlog = result.GetValue(burst) ? TimeSpan.FromMinutes(result.GetValue(backlog)) : TimeSpan.Zero,
                Replicas = result.GetValue(replicas),
                Postgres = result.GetRequiredValue(database) == "postgres",
                DataDirectory = folder,
                BrokerSaveEvery = result.GetValue(saveEvery),
            };
            if (options.Problem() is { } problem)
            {
                throw new ArgumentException(problem);
            }

            try
            {
                var summary = await new LoadGenerator(options, line => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(line)}[/]")).RunAsync(cancellationToken);
                var json = JsonSerializer.Serialize(summary, Indented);
                Console.WriteLine(json);
                if (result.GetValue(output) is { } file)
                {
                    await File.WriteAllTextAsync(file.FullName, json + "\n", cancellationToken);
                    AnsiConsole.MarkupLine($"wrote {Markup.Escape(file.FullName)}");
                }

                return summary.Errors == 0 ? 0 : 1;
            }
            catch (FogLens.Launch.SiteException ex)
            {
                await Console.Error.WriteLineAsync($"foglens: error: {ex.Message}");
                return 1;
            }
            finally
            {
                if (temporary)
                {
                    TryDelete(folder);
                }
            }
        });
        return new Command("bench", "Load benchmarks of a running set-up (the BenchmarkDotNet ones run through ./foglens bench codec|age|fog).") { load };
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            AnsiConsole.MarkupLine($"[yellow]could not delete {Markup.Escape(folder)}: {Markup.Escape(ex.Message)}[/]");
        }
    }
}
