using System.CommandLine;
using System.Globalization;

namespace FogLens.EdgeAgent;

/// <summary>
/// The edge-agent command line. Options override the configuration file (--config, JSON) and the
/// environment (FOGLENS_EDGE_ prefix, e.g. FOGLENS_EDGE_Edge__Source); the password comes only from
/// the environment (FOGLENS_EDGE_Fog__Password) or a file, never from the command line.
/// </summary>
public static class EdgeCommandLine
{
    public const string EnvironmentPrefix = "FOGLENS_EDGE_";

    public static RootCommand Create(Func<IReadOnlyDictionary<string, string?>, string?, CancellationToken, Task<int>> run)
    {
        var source = new Option<string?>("--source") { Description = "Video file, image folder, camera index (0) or stream URL (rtsp://, http://)." };
        var fog = new Option<string?>("--fog") { Description = "Fog broker, e.g. mqtt://127.0.0.1:1883 or mqtts://fog.local:8883." };
        fog.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string?>();
            if (value is not null && (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("mqtt" or "mqtts")))
            {
                result.AddError($"--fog must be an mqtt:// or mqtts:// URI, not '{value}'");
            }
        });
        var edgeId = new Option<string?>("--edge-id") { Description = "Node id of this agent (a-z, 0-9, '-', '_')." };
        var cameraId = new Option<string?>("--camera-id") { Description = "Camera id reported with crops (default: the edge id)." };
        var username = new Option<string?>("--username") { Description = "MQTT user name (password: FOGLENS_EDGE_Fog__Password or --password-file)." };
        var passwordFile = new Option<FileInfo?>("--password-file") { Description = "File holding the MQTT password." };
        var detector = new Option<string?>("--detector") { Description = "blazeface-cascade (default), blazeface (front model), blazeface-back or haar." };
        var loop = new Option<bool>("--loop") { Description = "Restart files and folders at their end." };
        var batch = new Option<bool>("--no-realtime") { Description = "Process every frame as fast as possible instead of pacing at the source's frame rate." };
        var outbox = new Option<string?>("--outbox") { Description = "Folder of the store-and-forward outbox." };
        var config = new Option<FileInfo?>("--config") { Description = "JSON configuration file (sections Edge, Fog, Tracker, Logging)." };
        var command = new RootCommand("FogLens edge agent: reads a camera, detects and tracks faces, and sends one crop per person to its fog node over MQTT v5, storing and forwarding when the fog is unreachable.")
        {
            source, fog, edgeId, cameraId, username, passwordFile, detector, loop, batch, outbox, config,
        };
        command.Subcommands.Add(CreateBench());
        command.SetAction((result, token) =>
        {
            var overrides = new Dictionary<string, string?>();
            void Set(string key, string? value)
            {
                if (value is not null)
                {
                    overrides[key] = value;
                }
            }

            Set("Edge:Source", result.GetValue(source));
            Set("Fog:Broker", result.GetValue(fog));
            Set("Edge:EdgeId", result.GetValue(edgeId));
            Set("Edge:CameraId", result.GetValue(cameraId));
            Set("Fog:Username", result.GetValue(username));
            Set("Edge:Detector", result.GetValue(detector));
            Set("Edge:OutboxDirectory", result.GetValue(outbox));
            if (result.GetValue(loop))
            {
                Set("Edge:Loop", "true");
            }

            if (result.GetValue(batch))
            {
                Set("Edge:RealTime", "false");
            }

            if (result.GetValue(passwordFile) is { } file)
            {
                Set("Fog:Password", File.ReadAllText(file.FullName).Trim());
            }

            return run(overrides, result.GetValue(config)?.FullName, token);
        });
        return command;
    }

    private static Command CreateBench()
    {
        var video = new Option<FileInfo>("--video") { Description = "Video for the speed test.", DefaultValueFactory = _ => new FileInfo("/usr/share/doc/opencv-doc/examples/data/vtest.avi") };
        var data = new Option<DirectoryInfo?>("--data") { Description = "Labelled face chips for recall (default: $FOGLENS_DATASET)." };
        var faces = new Option<int>("--faces") { Description = "Face chips to paste for recall.", DefaultValueFactory = _ => 300 };
        var frames = new Option<int>("--frames") { Description = "Frames for the speed test.", DefaultValueFactory = _ => 300 };
        var output = new Option<FileInfo?>("--out") { Description = "Write the Markdown report here (default: print it)." };
        var command = new Command("bench", "Measure detection speed (BlazeFace vs Haar), recall on pasted faces and false positives on face-free images.")
        {
            video, data, faces, frames, output,
        };
        command.SetAction(result =>
        {
            var root = Common.RepositoryRoot.Find();
            var dataDir = result.GetValue(data)?.FullName ?? Environment.GetEnvironmentVariable("FOGLENS_DATASET");
            if (dataDir is null || !Directory.Exists(dataDir))
            {
                Console.Error.WriteLine("edge-agent bench: recall needs labelled face chips: pass --data or set FOGLENS_DATASET");
                return 2;
            }

            var chips = Directory.GetFiles(dataDir, "*.jpg").Order(StringComparer.Ordinal)
                .OrderBy(f => System.IO.Hashing.XxHash64.HashToUInt64(System.Text.Encoding.UTF8.GetBytes(Path.GetFileName(f))))
                .Take(result.GetValue(faces)).ToArray();
            var bench = new Benchmarking.DetectorBench(root, "/usr/share/doc/opencv-doc/examples/data");
            var report = bench.Run(result.GetRequiredValue(video).FullName, chips, result.GetValue(frames), 7, m => Console.Error.WriteLine(m));
            if (result.GetValue(output) is { } file)
            {
                // Hand-written sections after the marker (the end-to-end table by face size) are kept.
                const string Marker = "<!-- end of edge-agent bench output -->";
                var kept = file.Exists && File.ReadAllText(file.FullName) is var old && old.Contains(Marker, StringComparison.Ordinal)
                    ? old[old.IndexOf(Marker, StringComparison.Ordinal)..]
                    : Marker + "\n";
                File.WriteAllText(file.FullName, report + "\n" + kept);
                Console.Error.WriteLine($"wrote {file.FullName}");
            }
            else
            {
                Console.WriteLine(report);
            }

            return 0;
        });
        return command;
    }

    public static string Describe(IReadOnlyDictionary<string, string?> overrides) =>
        string.Join(", ", overrides.Where(kv => !kv.Key.Contains("Password", StringComparison.Ordinal)).Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key}={kv.Value}")));
}
