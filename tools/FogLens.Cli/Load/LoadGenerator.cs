using System.Data.Common;
using System.Diagnostics;
using FogLens.Launch;

namespace FogLens.Cli.Load;

/// <summary>
/// Runs one load test: starts the portal set-up (<see cref="PortalReplicas"/>), connects the simulated fogs, sends the
/// backlog (if any) and the live windows (each edge closes one window per <see cref="LoadOptions.Window"/>, the edges'
/// phases spread evenly) and status, watches the rows appear in the database (<see cref="CommitWatcher"/>) and sums up.
/// Latency is from a window's close (its end, stamped when it is published) to the poll that saw its row committed.
/// </summary>
internal sealed class LoadGenerator(LoadOptions options, Action<string> log)
{
    private readonly Dictionary<Guid, long> _live = [];
    private readonly Lock _gate = new();
    private long _backlogSent;
    private long _statusSent;

    public async Task<LoadSummary> RunAsync(CancellationToken cancellationToken)
    {
        var fogIds = Enumerable.Range(1, options.Fogs).Select(f => $"fog-{f}").ToList();
        await using var portals = await PortalReplicas.StartAsync(
            new PortalReplicasOptions { DataDirectory = options.DataDirectory, Replicas = options.Replicas, External = options.Postgres, Fogs = fogIds, BrokerSaveEvery = options.BrokerSaveEvery,
                PortalArguments = options.Postgres ? [] : [$"--Broker:MaxConnectionsPerAddress={options.Fogs + 16}"], // every simulated fog comes from 127.0.0.1
            },
            log,
            cancellationToken);
        log($"connecting {options.Fogs} fogs to {portals.Broker}");
        var fogs = new List<SimulatedFog>();
        foreach (var id in fogIds)
        {
            fogs.Add(await SimulatedFog.ConnectAsync(portals.Broker, id, portals.FogPasswords[id], cancellationToken));
        }

        var watcher = new CommitWatcher(() => Connect(portals));
        using var stopWatching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watching = Task.Run(() => watcher.RunAsync(stopWatching.Token), cancellationToken);
        var cpuBefore = Cpu(portals);
        var started = Stopwatch.GetTimestamp();
        try
        {
            log($"load: {options.OfferedPerSecond:F1} windows/s offered for {options.Duration.TotalSeconds:F0} s"
                + (options.Backlog > TimeSpan.Zero ? $", after a backlog of {options.Backlog.TotalMinutes:F0} min per edge" : string.Empty));
            var backlogIds = new List<Guid>();
            var backlog = options.Backlog > TimeSpan.Zero ? Task.WhenAll(fogs.Select(f => BacklogAsync(f, backlogIds, cancellationToken))) : Task.CompletedTask;
            await Task.WhenAll(fogs.Select((f, i) => LiveAsync(f, i, cancellationToken)));
            await backlog;
            var liveEnd = Stopwatch.GetTimestamp();

            // Let the last windows land (the portal may be behind), then stop watching.
            var expected = _live.Count + backlogIds.Count;
            var drainDeadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * (backlogIds.Count > 0 ? 900 : 120)); // a backlog may take minutes to drain: measure it
            while (watcher.Seen.Count < expected && Stopwatch.GetTimestamp() < drainDeadline)
            {
                await Task.Delay(250, cancellationToken);
            }

            await stopWatching.CancelAsync();
            await watching;
            var cpuAfter = Cpu(portals);
            return Summarise(portals, fogs, backlogIds, started, liveEnd, watcher, cpuBefore, cpuAfter);
        }
        finally
        {
            await stopWatching.CancelAsync();
            foreach (var fog in fogs)
            {
                await fog.DisposeAsync();
            }
        }
    }

    private async Task LiveAsync(SimulatedFog fog, int index, CancellationToken cancellationToken)
    {
        var pending = new List<Task>();
        var window = options.Window;
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(options.Duration.TotalSeconds * Stopwatch.Frequency);
        var edges = options.EdgesPerFog;
        var total = options.Fogs * edges;

        // Edge e of fog i closes its windows at phase (i * edges + e) / total of the window length.
        var next = Enumerable.Range(0, edges).Select(e => start + (long)((double)((index * edges) + e) / total * window.TotalSeconds * Stopwatch.Frequency)).ToArray();
        var nextStatus = start;
        while (true)
        {
            var edge = Array.IndexOf(next, next.Min());
            var due = Math.Min(next[edge], nextStatus);
            if (due >= end)
            {
                break;
            }

            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken);
            }

            if (nextStatus <= next[edge])
            {
                await fog.PublishStatusAsync(edges, pending, cancellationToken);
                Interlocked.Increment(ref _statusSent);
                nextStatus += (long)(options.StatusInterval.TotalSeconds * Stopwatch.Frequency);
                continue;
            }

            var closed = Stopwatch.GetTimestamp();
            var id = await fog.PublishWindowAsync(edge, DateTimeOffset.UtcNow, window, pending, cancellationToken);
            lock (_gate)
            {
                _live[id] = closed;
            }

            next[edge] += (long)(window.TotalSeconds * Stopwatch.Frequency);
            pending.RemoveAll(t => t.IsCompleted);
        }

        await Task.WhenAll(pending);
    }

    /// <summary>An outage's worth of windows per edge, oldest first, as fast as the in-flight limit allows.</summary>
    private async Task BacklogAsync(SimulatedFog fog, List<Guid> ids, CancellationToken cancellationToken)
    {
        var pending = new List<Task>();
        var count = (int)(options.Backlog / options.Window);
        var first = DateTimeOffset.UtcNow - options.Backlog;
        for (var w = 1; w <= count; w++)
        {
            for (var e = 0; e < options.EdgesPerFog; e++)
            {
                var id = await fog.PublishWindowAsync(e, first + (options.Window * w), options.Window, pending, cancellationToken, late: true);
                lock (_gate)
                {
                    ids.Add(id);
                }

                Interlocked.Increment(ref _backlogSent);
            }

            pending.RemoveAll(t => t.IsCompleted);
        }

        await Task.WhenAll(pending);
    }

    private LoadSummary Summarise(PortalReplicas portals, List<SimulatedFog> fogs, List<Guid> backlogIds, long started, long liveEnd, CommitWatcher watcher, Dictionary<string, double> before, Dictionary<string, double> after)
    {
        var latencies = new List<double>(_live.Count);
        foreach (var (id, closed) in _live)
        {
            if (watcher.Seen.TryGetValue(id, out var seen))
            {
                latencies.Add(Stopwatch.GetElapsedTime(closed, seen).TotalMilliseconds);
            }
        }

        latencies.Sort();
        var duration = Stopwatch.GetElapsedTime(started, liveEnd).TotalSeconds;
        var storedInRun = _live.Keys.Count(id => watcher.Seen.TryGetValue(id, out var seen) && seen <= liveEnd);
        double? drain = null;
        if (backlogIds.Count > 0 && backlogIds.All(watcher.Seen.ContainsKey))
        {
            drain = Stopwatch.GetElapsedTime(started, backlogIds.Max(id => watcher.Seen[id])).TotalSeconds;
        }

        return new LoadSummary
        {
            WindowsPerSecond = Math.Round(storedInRun / duration, 1),
            P50Ms = LoadStatistics.Percentile(latencies, 0.50),
            P95Ms = LoadStatistics.Percentile(latencies, 0.95),
            P99Ms = LoadStatistics.Percentile(latencies, 0.99),
            Errors = fogs.Sum(f => f.Errors) + (_live.Count - latencies.Count),
            Replicas = options.Replicas,
            Database = options.Postgres ? "postgres" : "sqlite",
            Fogs = options.Fogs,
            EdgesPerFog = options.EdgesPerFog,
            OfferedPerSecond = Math.Round(options.OfferedPerSecond, 1),
            LivePublished = _live.Count,
            LiveStored = latencies.Count,
            StatusPublished = _statusSent,
            DurationSeconds = Math.Round(duration, 1),
            BacklogWindows = _backlogSent,
            BacklogStored = backlogIds.Count(watcher.Seen.ContainsKey),
            BacklogDrainSeconds = drain is null ? null : Math.Round(drain.Value, 1),
            CpuSeconds = LoadStatistics.CpuUsed(before, after),
        };
    }


    private static Dictionary<string, double> Cpu(PortalReplicas portals)
    {
        var cpu = portals.Processes.ToDictionary(p => p.Name, p => ProcessCpu.Seconds(p.Pid));
        if (portals.PostgresData is { } data && ProcessCpu.Postmaster(data) is { } postmaster)
        {
            cpu["postgres"] = ProcessCpu.Seconds(postmaster, withChildren: true);
        }

        cpu["load-generator"] = ProcessCpu.Seconds(Environment.ProcessId);
        return cpu;
    }

    private static DbConnection Connect(PortalReplicas portals) => portals.DatabaseConnection is { } pg
        ? new Npgsql.NpgsqlConnection(pg)
        : new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={portals.SqlitePath};Mode=ReadOnly");
}
