using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using FogLens.Contracts;
using FogLens.Contracts.Serialization;
using FogLens.Launch;
using MQTTnet;
using MQTTnet.Formatter;

namespace FogLens.Cli.Load;

/// <summary>
/// Runs one fan-in test: starts a real fog (<see cref="FogUnderLoad"/>), connects the simulated edges, lets each send
/// crops at its rate for the duration (phases spread evenly), polls the fog's counters every 100 ms, waits until every
/// crop is inferred and counted in a window the cloud broker received, and sums up. Latency is matched first in,
/// first out: the i-th crop created (over all edges) against the poll that saw the fog's inferred counter reach i.
/// </summary>
internal sealed class EdgeLoadGenerator(EdgeLoadOptions options, Action<string> log)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);
    private readonly List<(long At, FogCounts Counts)> _samples = [];
    private readonly ConcurrentDictionary<Guid, int> _windows = new();
    private readonly MessageParser _parser = new();

    public async Task<EdgeLoadSummary> RunAsync(CancellationToken cancellationToken)
    {
        var jpegs = Directory.GetFiles(options.Faces, "*.jpg").Order(StringComparer.Ordinal).Take(256).Select(File.ReadAllBytes).ToList();
        if (jpegs.Count == 0)
        {
            throw new ArgumentException($"--faces: no .jpg files in {options.Faces}");
        }

        var edgeIds = Enumerable.Range(1, options.Edges).Select(e => $"edge-{e}").ToList();
        await using var fog = await FogUnderLoad.StartAsync(
            new FogUnderLoadOptions { DataDirectory = options.DataDirectory, Edges = edgeIds, ExternalEdgeBroker = options.Mosquitto, Precision = options.Precision, BrokerSaveEvery = options.BrokerSaveEvery,
                FogArguments = [.. options.FogSettings.Select(f => "--" + f)] },
            log,
            cancellationToken);
        using var cloud = await WatchWindowsAsync(fog, cancellationToken);
        log($"connecting {options.Edges} edges to {fog.EdgeBroker}");
        var edges = new List<SimulatedEdge>();
        try
        {
            foreach (var id in edgeIds)
            {
                edges.Add(await SimulatedEdge.ConnectAsync(fog.EdgeBroker, id, fog.EdgePasswords[id], cancellationToken));
            }

            using var http = new HttpClient { BaseAddress = fog.FogUrl, Timeout = TimeSpan.FromSeconds(5) };
            using var stopPolling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var polling = PollAsync(http, stopPolling.Token);
            var cpuBefore = Cpu(fog);
            log($"load: {options.OfferedPerSecond:F0} crops/s offered ({options.Edges} edges × {options.CropsPerSecond:G3}/s) for {options.Duration.TotalSeconds:F0} s");
            var start = Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 5);
            var end = start + (long)(options.Duration.TotalSeconds * Stopwatch.Frequency);
            var interval = Stopwatch.Frequency / options.CropsPerSecond;
            var sending = edges.Select((e, i) => e.RunAsync(jpegs, options.CropsPerSecond, start, (long)(interval * i / options.Edges), end, cancellationToken)).ToList();
            var atEnd = AtEndAsync(http, edges, end, cancellationToken);
            await Task.WhenAll(sending);
            var (acknowledgedAtEnd, countsAtEnd) = await atEnd;
            var created = edges.Sum(e => (long)e.Created.Count);

            log("draining: waiting for every crop to be inferred and counted in a window");
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120) + TimeSpan.FromSeconds(created / Math.Max(1, options.OfferedPerSecond));
            while (Last().CropsInferred < created && DateTime.UtcNow < deadline)
            {
                await Task.Delay(Poll, cancellationToken);
            }

            var windowDeadline = DateTime.UtcNow + TimeSpan.FromSeconds(100); // the fog closes a 1-minute window 10 s after its end
            while (_windows.Values.Sum() < Last().CropsInferred && DateTime.UtcNow < windowDeadline)
            {
                await Task.Delay(Poll, cancellationToken);
            }

            await stopPolling.CancelAsync();
            await polling;
            return Summarise(edges, fog, start, end, acknowledgedAtEnd, countsAtEnd, cpuBefore, Cpu(fog));
        }
        finally
        {
            foreach (var edge in edges)
            {
                await edge.DisposeAsync();
            }
        }
    }

    private EdgeLoadSummary Summarise(List<SimulatedEdge> edges, FogUnderLoad fog, long start, long end, long acknowledgedAtEnd, FogCounts atEnd, Dictionary<string, double> before, Dictionary<string, double> after)
    {
        var created = edges.SelectMany(e => e.Created).Order().ToList();
        var last = Last();
        var latencies = new List<double>(created.Count);
        var s = 0;
        for (var i = 0; i < created.Count; i++)
        {
            while (s < _samples.Count && _samples[s].Counts.CropsInferred < i + 1)
            {
                s++;
            }

            if (s == _samples.Count)
            {
                break;
            }

            latencies.Add(Math.Max(0, Stopwatch.GetElapsedTime(created[i], _samples[s].At).TotalMilliseconds));
        }

        latencies.Sort();
        var seconds = Stopwatch.GetElapsedTime(start, end).TotalSeconds;
        var faces = _windows.Values.Sum();
        var inferredLive = atEnd.CropsInferred / seconds;
        return new EdgeLoadSummary
        {
            Edges = options.Edges,
            EdgeBroker = options.Mosquitto ? "mosquitto" : "embedded",
            Precision = options.Precision,
            BrokerSaveEvery = options.Mosquitto ? options.BrokerSaveEvery : null,
            FogSettings = options.FogSettings,
            OfferedPerSecond = Math.Round(options.OfferedPerSecond, 1),
            AcceptedPerSecond = Math.Round(acknowledgedAtEnd / seconds, 1),
            InferredPerSecond = Math.Round(inferredLive, 1),
            KeepsUp = inferredLive >= 0.95 * options.OfferedPerSecond && created.Count - atEnd.CropsInferred <= 2 * options.OfferedPerSecond,
            P50Ms = LoadStatistics.Percentile(latencies, 0.50),
            P95Ms = LoadStatistics.Percentile(latencies, 0.95),
            P99Ms = LoadStatistics.Percentile(latencies, 0.99),
            Created = created.Count,
            Acknowledged = edges.Sum(e => e.Acknowledged),
            Inferred = last.CropsInferred,
            FacesInWindows = faces,
            MaxQueueDepth = _samples.Count == 0 ? 0 : _samples.Max(x => x.Counts.QueueDepth),
            Errors = edges.Sum(e => e.Errors) + last.CropsRejected + last.CorruptImages + last.Duplicates
                + Math.Max(0, created.Count - last.CropsInferred) + Math.Max(0, last.CropsInferred - faces),
            DurationSeconds = Math.Round(seconds, 1),
            CpuSeconds = LoadStatistics.CpuUsed(before, after),
            LoadAverage = LoadAverage(),
        };
    }

    /// <summary>The edges' acknowledged crops and the fog's counters when the live period ends.</summary>
    private static async Task<(long Acknowledged, FogCounts Counts)> AtEndAsync(HttpClient http, List<SimulatedEdge> edges, long end, CancellationToken cancellationToken)
    {
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), end);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, cancellationToken);
        }

        var acknowledged = edges.Sum(e => e.Acknowledged);
        return (acknowledged, await ReadAsync(http, cancellationToken) ?? new FogCounts(0, 0, 0, 0, 0));
    }

    private async Task PollAsync(HttpClient http, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (await ReadAsync(http, cancellationToken) is { } counts)
                {
                    lock (_samples)
                    {
                        _samples.Add((Stopwatch.GetTimestamp(), counts));
                    }
                }

                await Task.Delay(Poll, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private FogCounts Last()
    {
        lock (_samples)
        {
            return _samples.Count == 0 ? new FogCounts(0, 0, 0, 0, 0) : _samples[^1].Counts;
        }
    }

    private static async Task<FogCounts?> ReadAsync(HttpClient http, CancellationToken cancellationToken)
    {
        try
        {
            return await http.GetFromJsonAsync<FogCounts>(new Uri("/api/status", UriKind.Relative), System.Text.Json.JsonSerializerOptions.Web, cancellationToken);
        }
        catch (HttpRequestException)
        {
            return null; // a slow answer under load: the next poll counts
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>Subscribes to the fog's demographics windows on the cloud broker as the portal would.</summary>
    private async Task<IMqttClient> WatchWindowsAsync(FogUnderLoad fog, CancellationToken cancellationToken)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            var parsed = _parser.ParseFogDemographics(e.ApplicationMessage.Topic, System.Buffers.BuffersExtensions.ToArray(e.ApplicationMessage.Payload));
            if (parsed.IsSuccess)
            {
                _windows.TryAdd(parsed.Value.Header.MessageId, parsed.Value.Faces);
            }

            return Task.CompletedTask;
        };
        await client.ConnectAsync(
            new MqttClientOptionsBuilder().WithTcpServer(fog.CloudBroker.Host, fog.CloudBroker.Port).WithClientId("portal").WithCredentials("portal", fog.PortalPassword)
                .WithProtocolVersion(MqttProtocolVersion.V500).Build(),
            cancellationToken);
        await client.SubscribeAsync(Topics.AllFogDemographics, MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken);
        return client;
    }


    private static Dictionary<string, double> Cpu(FogUnderLoad fog)
    {
        var cpu = fog.Processes.ToDictionary(p => p.Name, p => ProcessCpu.Seconds(p.Pid));
        cpu["load-generator"] = ProcessCpu.Seconds(Environment.ProcessId);
        return cpu;
    }

    private static double LoadAverage() =>
        File.Exists("/proc/loadavg") && double.TryParse(File.ReadAllText("/proc/loadavg").Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var load) ? load : double.NaN;

    /// <summary>The fog's counters read from /api/status.</summary>
    private sealed record FogCounts(long CropsInferred, long CropsRejected, long CorruptImages, long Duplicates, int QueueDepth);
}
