using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using FogLens.CloudPortal.Common;
using FogLens.CloudPortal.Data;
using FogLens.Launch;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace FogLens.Benchmarks;

/// <summary>
/// Issue #20 item 3: the portal's demographics queries over a large store. Bulk-loads synthetic windows
/// (<see cref="DataLoader"/>) into a fresh SQLite file or PostgreSQL cluster (fsync off), then times the queries behind
/// the Demographics and Overview pages and the /api endpoints, called as the portal calls them
/// (<see cref="PortalQueries"/>, <see cref="ActivityQueries"/>; no HTTP). `dotnet run -c Release -- data [--windows N] [--cameras 100] [--db sqlite|postgres]
/// [--repeat 20] [--out FILE] [--data-dir DIR]` (./foglens bench data ...); a --data-dir that already holds a loaded store
/// is measured again without loading (after migrating it), FOGLENS_BENCH_ONLY=text measures only the queries named with it. The queries run at the instant the data ends.
/// </summary>
public static class DataBench
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static async Task<int> RunAsync(string[] args)
    {
        var windows = long.Parse(Arg(args, "--windows") ?? "10000000", CultureInfo.InvariantCulture);
        var cameras = int.Parse(Arg(args, "--cameras") ?? "100", CultureInfo.InvariantCulture);
        var provider = Arg(args, "--db") ?? "sqlite";
        var repeat = int.Parse(Arg(args, "--repeat") ?? "20", CultureInfo.InvariantCulture);
        var output = Arg(args, "--out");
        var folder = Arg(args, "--data-dir") ?? Directory.CreateTempSubdirectory("foglens-databench-").FullName;
        Directory.CreateDirectory(folder);
        var portal = new PortalOptions { DataDirectory = folder };
        var database = new DatabaseOptions { Provider = provider };
        PostgresCluster? cluster = null;
        if (provider == "postgres")
        {
            cluster = PostgresCluster.Start(Path.Combine(folder, "pg"), 55432, fast: true);
            database.ConnectionString = cluster.Database("foglens_bench") + ";Command Timeout=0";
        }

        try
        {
            var db = new PortalDb(Options.Create(database), Options.Create(portal));
            await db.MigrateAsync(CancellationToken.None);
            var loader = new DataLoader(cameras, windows, portal.MinFacesShown);
            await using (var context = db.Create())
            {
                if (await context.Demographics.OrderByDescending(w => w.WindowEnd).Select(w => (DateTimeOffset?)w.WindowEnd).FirstOrDefaultAsync() is { } stored)
                {
                    return await MeasureAsync(db, portal, loader, stored, provider, folder, repeat, output, loadSeconds: double.NaN);
                }
            }

            Console.WriteLine($"loading {windows:N0} windows ({cameras} cameras × {loader.Minutes:N0} minutes = {loader.Minutes / 1440.0:0.0} days) into {provider} in {folder}");
            var clock = Stopwatch.StartNew();
            var lastReport = TimeSpan.Zero;
            void Progress(long n)
            {
                if (clock.Elapsed - lastReport > TimeSpan.FromSeconds(30))
                {
                    lastReport = clock.Elapsed;
                    Console.WriteLine($"  {n:N0} windows, {n / clock.Elapsed.TotalSeconds:N0}/s");
                }
            }

            var connection = database.ConnectionString ?? $"Data Source={Path.Combine(folder, "portal.db")}";
            await (provider == "postgres" ? loader.LoadPostgresAsync(connection, Progress, CancellationToken.None) : loader.LoadSqliteAsync(connection, Progress, CancellationToken.None));
            var loadSeconds = clock.Elapsed.TotalSeconds;
            Console.WriteLine($"loaded in {loadSeconds:N0} s ({windows / loadSeconds:N0} windows/s, with 8 age-group rows each and the roll-ups, analyzed)");

            return await MeasureAsync(db, portal, loader, loader.End, provider, folder, repeat, output, loadSeconds);
        }
        finally
        {
            if (cluster is not null)
            {
                await cluster.DisposeAsync();
            }

            if (Arg(args, "--data-dir") is null)
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    /// <summary>Times the queries at the instant the stored windows end (the pages' "last hour" is then a full hour of data).</summary>
    private static async Task<int> MeasureAsync(PortalDb db, PortalOptions portal, DataLoader loader, DateTimeOffset now, string provider, string folder, int repeat, string? output, double loadSeconds)
    {
        var only = Environment.GetEnvironmentVariable("FOGLENS_BENCH_ONLY"); // a part of the query names: measure those only
        var clock = new FixedTime(now);
        var queries = new PortalQueries(db, Options.Create(portal), clock);
        var activity = new ActivityQueries(db, Options.Create(portal), clock);
        var windows = await CountAsync(db);
        await loader.AddFogsAsync(db); // their sites, for the site filter
        var results = new List<QueryResult>();
        foreach (var (name, run) in Queries(queries, activity, now).Where(q => only is null || q.Name.Contains(only, StringComparison.Ordinal)))
        {
            var rows = await run();
            await run();
            var times = new List<double>();
            var cpu = new List<double>();
            for (var i = 0; i < repeat; i++)
            {
                var t = Stopwatch.GetTimestamp();
                var c = Environment.CpuUsage.TotalTime;
                await run();
                times.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                cpu.Add((Environment.CpuUsage.TotalTime - c).TotalMilliseconds);
            }

            times.Sort();
            cpu.Sort();
            var result = new QueryResult(name, Percentile(times, 0.5), Percentile(times, 0.95), Math.Round(times[^1], 2), Percentile(cpu, 0.5), rows);
            results.Add(result);
            Console.WriteLine($"  {name,-58} p50 {result.P50Ms,8:N1} ms  p95 {result.P95Ms,8:N1} ms  cpu p50 {result.CpuP50Ms,6:N1} ms  ({rows:N0} rows)");
        }

        var bytes = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        var summary = new DataBenchSummary(provider, windows, loader.Cameras, Math.Round(windows / (double)loader.Cameras / 1440, 1),
            double.IsNaN(loadSeconds) ? null : Math.Round(loadSeconds, 1), double.IsNaN(loadSeconds) ? null : Math.Round(windows / loadSeconds),
            bytes / (1024 * 1024), repeat, Environment.ProcessorCount, Math.Round(Environment.CpuUsage.TotalTime.TotalSeconds), DateTimeOffset.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), results);
        var json = JsonSerializer.Serialize(summary, Json);
        Console.WriteLine(json);
        if (output is not null)
        {
            await File.WriteAllTextAsync(output, json + "\n");
        }

        return 0;
    }

    private static async Task<long> CountAsync(PortalDb db)
    {
        await using var context = db.Create();
        return await context.Demographics.LongCountAsync();
    }

    /// <summary>What the pages load (Demographics.razor and Overview.razor's LoadAsync for a time range) and the API's reads.</summary>
    private static IEnumerable<(string Name, Func<Task<long>> Run)> Queries(PortalQueries q, ActivityQueries a, DateTimeOffset now)
    {
        var ct = CancellationToken.None;
        var camera = DataLoader.Camera(42);
        var fog = DataLoader.Fog(42);
        Func<Task<long>> Demographics(string? fogId, string? cameraId, string preset, string? site = null) => async () =>
        {
            var range = TimeRange.OfPreset(preset);
            var scopes = await a.ScopesAsync(ct);
            var groups = await q.GroupTotalsAsync(new DemographicsFilter(fogId, cameraId, range.Resolve(now).From) { Site = site }, ct);
            var trend = await a.TrendAsync(new(fogId, cameraId) { Site = site }, range, ct);
            return scopes.Count + groups.Count + trend.Buckets.Count;
        };
        Func<Task<long>> Overview(string preset, string? site = null) => async () =>
        {
            // As Overview.razor loads: its parts at the same time, each on its own thread.
            var scope = new DemographicsFilter { Site = site };
            var summary = Task.Run(() => q.SummaryAsync(ct));
            var scopes = Task.Run(() => a.ScopesAsync(ct));
            var trend = Task.Run(() => a.TrendAsync(scope, TimeRange.OfPreset(preset), ct));
            var mix = Task.Run(() => a.AgeMixAsync(scope, ct));
            var heatmaps = Task.Run(() => a.HeatmapAsync(scope, ct));
            return ((await summary).FacesTotal > 0 ? 1 : 0) + (await scopes).Count + (await trend).Buckets.Count + (await mix).Count + (await heatmaps).Count;
        };
        foreach (var preset in new[] { "15m", "1h", "24h", "7d", "30d", "all" })
        {
            yield return ($"page /demographics, {TimeRange.OfPreset(preset).Label}", Demographics(null, null, preset));
        }

        yield return ("page /demographics, one camera, last 24 hours", Demographics(null, camera, "24h"));
        yield return ("page /demographics, one fog, everything", Demographics(fog, null, "all"));
        yield return ("page / (overview), last hour", Overview("1h"));
        yield return ("page / (overview), everything", Overview("all"));
        yield return ("page /demographics, one site (5 fogs), last hour", Demographics(null, null, "1h", DataLoader.Site(0)));
        yield return ("page /demographics, one site (5 fogs), everything", Demographics(null, null, "all", DataLoader.Site(0)));
        yield return ("page / (overview), one site (5 fogs), last hour", Overview("1h", DataLoader.Site(0)));
        // The Overview's parts, to see where its time goes.
        yield return ("  overview part: summary + fog/camera lists", async () => ((await q.SummaryAsync(ct)).FacesTotal > 0 ? 1 : 0) + (await a.ScopesAsync(ct)).Count);
        yield return ("  overview part: trend, last hour", async () => (await a.TrendAsync(new(), TimeRange.OfPreset("1h"), ct)).Buckets.Count);
        yield return ("  overview part: age mix against yesterday", async () => (await a.AgeMixAsync(new(), ct)).Count);
        yield return ("  overview part: 7-day camera heatmap", async () => (await a.HeatmapAsync(new(), ct)).Count);
        yield return ("GET /api/summary", async () => (await q.SummaryAsync(ct)).FacesTotal > 0 ? 1 : 0);
        yield return ("GET /api/demographics (newest 1000)", async () => (await q.WindowsAsync(new(), 1000, ct)).Count);
        yield return ("GET /api/demographics?camera= (newest 1000)", async () => (await q.WindowsAsync(new(Camera: camera), 1000, ct)).Count);
        yield return ("GET /api/demographics?fog=&from=-1h (≤ 1000)", async () => (await q.WindowsAsync(new(Fog: fog, From: now.AddHours(-1)), 1000, ct)).Count);
        yield return ("GET /api/demographics/groups (everything)", async () => (await q.GroupTotalsAsync(new(), ct)).Count);
        yield return ("GET /api/demographics/groups?from=-30d&to=-23d (unaligned)", async () =>
            (await q.GroupTotalsAsync(new(From: now.AddDays(-30).AddMinutes(-17), To: now.AddDays(-23).AddMinutes(13)), ct)).Count);
        yield return ("GET /api/demographics/groups?camera=&from=-7d", async () => (await q.GroupTotalsAsync(new(Camera: camera, From: now.AddDays(-7)), ct)).Count);
    }

    private static double Percentile(List<double> sorted, double p) => Math.Round(sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)], 2);

    private static string? Arg(string[] args, string name) => Array.IndexOf(args, name) is >= 0 and var i && i + 1 < args.Length ? args[i + 1] : null;

    /// <param name="CpuP50Ms">Median CPU time of this process per call: on SQLite (in process) nearly all of a query's work, and
    /// much less noisy than the wall clock on a shared machine; on PostgreSQL only the client's part.</param>
    private sealed record QueryResult(string Name, double P50Ms, double P95Ms, double MaxMs, double CpuP50Ms, long Rows);

    private sealed record DataBenchSummary(
        string Database, long Windows, int Cameras, double Days, double? LoadSeconds, double? LoadWindowsPerS, long StoreMib, int Repeat, int Cores, double ProcessCpuS, string Date,
        IReadOnlyList<QueryResult> Queries);

    /// <summary>The pages' clock, stopped where the synthetic data ends.</summary>
    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
