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
        var edgesOnly = new Option<bool>("--edges-only") { Description = "Fog fan-in instead: simulated edges send face crops to one real fog started here (--edges, --crops-per-second, --edge-broker, --precision, --faces, --duration)." };
        var edgeCount = new Option<int>("--edges") { Description = "With --edges-only: edges (MQTT clients with their own credentials).", DefaultValueFactory = _ => 50 };
        var cropRate = new Option<double>("--crops-per-second") { Description = "With --edges-only: crops each edge sends per second.", DefaultValueFactory = _ => 10 };
        var edgeBroker = new Option<string>("--edge-broker") { Description = "With --edges-only: the fog's embedded broker or Mosquitto (edge ACL, the fog subscribes).", DefaultValueFactory = _ => "embedded" };
        edgeBroker.AcceptOnlyFromAmong("embedded", "mosquitto");
        var precision = new Option<string>("--precision") { Description = "With --edges-only: the fog's Fog:ModelPrecision.", DefaultValueFactory = _ => "fp32" };
        precision.AcceptOnlyFromAmong("fp32", "int8");
        var faces = new Option<DirectoryInfo?>("--faces") { Description = "With --edges-only: folder of face JPEGs the edges send (default: $FOGLENS_DATASET, else ../shared/datasets/utkface-part1)." };
        var fogSetting = new Option<string[]>("--fog-setting") { Description = "With --edges-only: an extra fog setting, Section:Key=value (repeatable), e.g. EdgeBroker:IntakeSessions=1 for an ablation." };
        CommandLineChecks.NoOptionAsValue(database);
        CommandLineChecks.NoOptionAsValue(output);
        CommandLineChecks.NoOptionAsValue(edgeBroker);
        CommandLineChecks.NoOptionAsValue(precision);
        CommandLineChecks.NoOptionAsValue(faces);
        CommandLineChecks.NoOptionAsValue(fogSetting);
        var load = new Command("load", "Simulated fogs publish demographics windows and status over MQTT to the portal set-up started here; measures throughput, latency (window close to row committed) and CPU. With --edges-only: one fog's fan-in of edges sending crops.")
        {
            fogs, edges, window, duration, burst, backlog, replicas, database, saveEvery, dataDir, output, edgesOnly, edgeCount, cropRate, edgeBroker, precision, faces, fogSetting,
        };
        load.SetAction(async (result, cancellationToken) =>
        {
            var temporary = result.GetValue(dataDir) is null;
            var folder = result.GetValue(dataDir)?.FullName ?? Directory.CreateTempSubdirectory("foglens-load-").FullName;
            if (result.GetValue(edgesOnly))
            {
                var edgeOptions = new EdgeLoadOptions
                {
                    Edges = result.GetValue(edgeCount),
                    CropsPerSecond = result.GetValue(cropRate),
                    Duration = TimeSpan.FromSeconds(result.GetValue(duration)),
                    Mosquitto = result.GetRequiredValue(edgeBroker) == "mosquitto",
                    Precision = result.GetRequiredValue(precision),
                    BrokerSaveEvery = result.GetValue(saveEvery),
                    FogSettings = result.GetValue(fogSetting) ?? [],
                    Faces = result.GetValue(faces)?.FullName ?? DefaultFaces(),
                    DataDirectory = folder,
                };
                return await RunAsync(edgeOptions.Problem(), folder, temporary, result.GetValue(output), async ct =>
                {
                    var summary = await new EdgeLoadGenerator(edgeOptions, Log).RunAsync(ct);
                    return (JsonSerializer.Serialize(summary, Indented), summary.Errors);
                }, cancellationToken);
            }

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
            return await RunAsync(options.Problem(), folder, temporary, result.GetValue(output), async ct =>
            {
                var summary = await new LoadGenerator(options, Log).RunAsync(ct);
                return (JsonSerializer.Serialize(summary, Indented), summary.Errors);
            }, cancellationToken);
        });
        return new Command("bench", "Load benchmarks of a running set-up (the BenchmarkDotNet ones run through ./foglens bench codec|age|fog).") { load };
    }

    /// <summary>Runs one load test: refuses a bad combination, prints the JSON summary (and writes --out), exit 1 on errors.</summary>
    private static async Task<int> RunAsync(string? problem, string folder, bool temporary, FileInfo? output, Func<CancellationToken, Task<(string Json, long Errors)>> run, CancellationToken cancellationToken)
    {
        try
        {
            if (problem is not null)
            {
                throw new ArgumentException(problem);
            }

            var (json, errors) = await run(cancellationToken);
            Console.WriteLine(json);
            if (output is not null)
            {
                await File.WriteAllTextAsync(output.FullName, json + "\n", cancellationToken);
                AnsiConsole.MarkupLine($"wrote {Markup.Escape(output.FullName)}");
            }

            return errors == 0 ? 0 : 1;
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
    }

    private static void Log(string line) => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(line)}[/]");

    /// <summary>$FOGLENS_DATASET, else the shared UTKFace subset beside the repository.</summary>
    private static string DefaultFaces() =>
        Environment.GetEnvironmentVariable("FOGLENS_DATASET") is { Length: > 0 } dataset ? dataset
        : Path.GetFullPath(Path.Combine(FogLens.Launch.RepoLayout.Root, "..", "shared", "datasets", "utkface-part1"));

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
