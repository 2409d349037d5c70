using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using FogLens.Launch;
using FogLens.EdgeAgent.Tests;
using FogLens.Tests.Shared;

namespace FogLens.EndToEnd.Tests;

/// <summary>
/// No loss under faults: a site with external services (Mosquitto, PostgreSQL) runs at a steady rate while the
/// broker, one fog and the portal are SIGKILLed and restarted in turn; afterwards every demographics window a
/// fog produced (logged with its message id when it enters the fog's durable outbox) is in the database
/// exactly once. With FOGLENS_WRITE_DOCS=1 the measurements are written to docs/reliability.md.
/// </summary>
public sealed partial class FaultTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Minutes of the long run (FOGLENS_FAULT_MINUTES, e.g. 10): four edges on a busy scene (about 50 crops/s or
    /// more), and the edge is SIGKILLed too. Unset: the short run CI does (8 s of steady load between faults).
    /// </summary>
    private static double? LongRunMinutes =>
        double.TryParse(Environment.GetEnvironmentVariable("FOGLENS_FAULT_MINUTES"), CultureInfo.InvariantCulture, out var m) && m > 0 ? m : null;

    [Theory]
    [InlineData(true)] // Mosquitto + PostgreSQL: the broker is killed too
    [InlineData(false)] // the embedded defaults: the portal's broker dies with the portal
    public async Task KillBrokerFogAndPortal_EveryProducedWindowIsStoredExactlyOnce(bool external)
    {
        if (external)
        {
            Assert.SkipWhen(PostgresCluster.FindBin(out var reason) is null, "fault test skipped: " + reason);
            TestPaths.RequireInstalled(MosquittoServer.Binary, "mosquitto");
        }

        var longRun = LongRunMinutes;
        string[] tiers = [.. external ? ["mosquitto"] : Array.Empty<string>(), "fog-1", "cloud-portal", .. longRun is null ? Array.Empty<string>() : ["edge-1"]];
        var steady = longRun is { } minutes ? (TimeSpan.FromMinutes(minutes) / (tiers.Length + 1)) - Outage : TimeSpan.FromSeconds(8);
        using var temp = TempFolder.Create("foglens-faults-");
        var root = temp.Path;
        var options = new SiteOptions
        {
            DataDirectory = root,
            BasePort = 0,
            Fogs = 2,
            EdgesPerFog = longRun is null ? 1 : 2,
            External = external,
            EdgeSource = longRun is null ? _ => SyntheticScenes.Create(people: 2) : _ => SyntheticScenes.Crowd(groups: 3),
            LoopSources = true,
            RealTimeSources = longRun is null, // the long run drives the edges as fast as they go
            EdgeArguments = longRun is null ? [] : ["--detector", "blazeface"], // the cheapest detector: the load is on the fogs and the portal
            FogWindow = TimeSpan.FromSeconds(1),
            FogWindowGrace = TimeSpan.FromMilliseconds(500),
            PortalArguments = ["--Portal:MinFacesShown=1"], // every window is compared, however small (k-anonymity has its own test)
        };
        var clock = Stopwatch.StartNew();
        await using var site = await SiteStart.StartAsync(options, line => output.WriteLine($"{clock.Elapsed.TotalSeconds,6:F1} s {line}"));
        using var portal = await PortalClient.SignInAsync(site.PortalUrl, options.AdminUser, options.AdminPassword);
        var runStart = clock.Elapsed;
        await Task.Delay(steady, TestContext.Current.CancellationToken);

        var outages = new List<(string Tier, TimeSpan Down)>();
        var fogKills = new List<(string Fog, DateTimeOffset At)>();
        foreach (var tier in tiers)
        {
            var killedAt = clock.Elapsed;
            if (tier.StartsWith("fog-", StringComparison.Ordinal))
            {
                fogKills.Add((tier, DateTimeOffset.UtcNow));
            }

            await site.KillAsync(tier);
            await Task.Delay(Outage, TestContext.Current.CancellationToken);
            await site.RestartAsync(tier, TestContext.Current.CancellationToken);
            outages.Add((tier, clock.Elapsed - killedAt));
            await Task.Delay(steady, TestContext.Current.CancellationToken);
        }

        // Stop producing: edges first (their outboxes drain to the fogs), then let the fogs close and send their windows.
        foreach (var edge in site.Children.Where(c => c.Name.StartsWith("edge-", StringComparison.Ordinal)).ToList())
        {
            await edge.StopAsync(TimeSpan.FromSeconds(10));
        }

        var runLength = clock.Elapsed - runStart;
        HashSet<Guid> produced = [];
        List<JsonElement> windows = [];
        await Eventually.WaitUntil(async () =>
        {
            produced = ProducedWindows(site);
            windows = await portal.WindowsAsync();
            return produced.Count > 0 && produced.IsSubsetOf(windows.Select(w => w.GetProperty("messageId").GetGuid()));
        }, TimeSpan.FromMinutes(6), "every produced window stored"); // a bound, not a speed claim: in the full suite the portal drains its backlog beside every other test project

        var stored = windows.Select(w => w.GetProperty("messageId").GetGuid()).ToList();
        Assert.Equal(stored.Count, stored.Distinct().Count());

        // A window the fog closed (durably) just before its SIGKILL may be stored although its log line, still in
        // the console logger's queue, died with the process. Only such windows may be missing from the logs.
        var unlogged = windows.Where(w => !produced.Contains(w.GetProperty("messageId").GetGuid())).ToList();
        var lostLogLines = unlogged.Count(w => fogKills.Any(k => k.Fog == w.GetProperty("fogId").GetString()
            && w.GetProperty("windowStart").GetDateTimeOffset() is var start && start <= k.At && start >= k.At - TimeSpan.FromSeconds(15)));
        Assert.True(lostLogLines == unlogged.Count, $"{unlogged.Count - lostLogLines} stored windows were never logged as produced");
        var faces = windows.Sum(w => w.GetProperty("faces").GetInt32());

        // Faces in = faces stored: every crop a fog acknowledged to an edge is counted exactly once, across the
        // fog's SIGKILL (the fog acknowledges a crop only once it is on disk, and journals each face before counting it).
        // A crop in flight when its edge stops may have reached the fog without the edge seeing the PUBACK: it
        // stays in the edge's outbox (resent and deduplicated on the next start), so it may or may not be stored.
        // A SIGKILLed edge process logs no "Stopped" line: its last status line (every 5 s) gives a lower bound of
        // what it had acknowledged, so the upper bound is not checked when an edge was killed.
        var edges = site.Children.Where(c => c.Name.StartsWith("edge-", StringComparison.Ordinal))
            .Select(e => EdgeAcknowledgements.Parse(ReadShared(site.LogPath(e.Name)))).ToList();
        var acknowledged = edges.Sum(e => e.Acknowledged);
        var leftInOutboxes = edges.Sum(e => e.LeftInOutbox);
        var edgeKilled = edges.Any(e => e.Killed > 0);
        output.WriteLine($"crops acknowledged by the fogs: {acknowledged}{(edgeKilled ? " or more" : string.Empty)} (+{leftInOutboxes} left in edge outboxes); faces stored: {faces}");
        Assert.InRange(faces, acknowledged, edgeKilled ? long.MaxValue : acknowledged + leftInOutboxes);
        var report = Report(new RunFigures(stored.Count, lostLogLines, faces, acknowledged, edgeKilled, runLength, outages, options.Fogs * options.EdgesPerFog, longRun is not null));
        output.WriteLine(report);
        if (external && Environment.GetEnvironmentVariable("FOGLENS_WRITE_DOCS") == "1")
        {
            var path = Path.Combine(TestPaths.RepoRoot, "docs", "reliability.md");
            var doc = File.Exists(path) ? await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken) : string.Empty;
            await File.WriteAllTextAsync(path, ReplaceSection(doc, longRun is null ? "short" : "long", report), TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Message ids of the windows the fogs put into their outboxes, from their logs (all runs, restarts included).</summary>
    private static HashSet<Guid> ProducedWindows(Site site) =>
        [.. site.Fogs.SelectMany(f => WindowLine().Matches(ReadShared(site.LogPath(f.Id)))).Select(m => Guid.Parse(m.Groups[1].Value))];

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private sealed record RunFigures(int Windows, int UnloggedAtKill, int Faces, long Acknowledged, bool EdgeKilled, TimeSpan Run, List<(string Tier, TimeSpan Down)> Outages, int Edges, bool Long);

    /// <summary>Replaces (or appends) the part of docs/reliability.md between the markers of one run kind.</summary>
    private static string ReplaceSection(string doc, string kind, string section)
    {
        var begin = $"<!-- begin:{kind} -->";
        var end = $"<!-- end:{kind} -->";
        var block = $"{begin}\n{section.TrimEnd()}\n{end}";
        var at = doc.IndexOf(begin, StringComparison.Ordinal);
        var to = doc.IndexOf(end, StringComparison.Ordinal);
        return at >= 0 && to > at
            ? string.Concat(doc.AsSpan(0, at), block, doc.AsSpan(to + end.Length))
            : (doc.Contains("<!-- begin:", StringComparison.Ordinal) ? doc.TrimEnd() + "\n\n" : Header()) + block + "\n";
    }

    private static string Header() =>
        """
        # Reliability: no loss under faults

        Written by `FaultTests` (`FOGLENS_WRITE_DOCS=1 dotnet test tests/FogLens.EndToEnd.Tests --filter FaultTests`;
        the long run with `FOGLENS_FAULT_MINUTES=10` as well). Each section is replaced by the run of its kind.

        What makes this hold: fogs keep closed windows in a durable outbox and remove them only after the broker's
        PUBACK; Mosquitto keeps the portal's persistent session (QoS 1) across portal restarts and saves its queue
        on every change; the portal acknowledges a message only after it is committed and drops a redelivered
        message id (unique index), so redelivery never double-counts.

        Inside the fog: a crop is acknowledged to its edge only once it is in the fog's crop spool on disk (file and
        directory flushed); each inferred face is appended to the demographics journal before it is counted and
        before its crop leaves the spool; a closed window enters the outbox and is marked closed in the journal under
        one lock. A restarted fog re-infers what is left in the spool, rebuilds open windows from the journal and
        sends them at once; a window message's id is derived from the crops it counts, so a window re-sent after a
        crash is the same message and the portal stores it once. Faces in (crops acknowledged) = faces stored.
        An edge removes a crop from its durable outbox only after the fog's PUBACK, so a SIGKILLed edge resends what
        was in flight when it restarts, and the fog's persisted dedupe set drops the copies.

        What it does not cover: Mosquitto's persistence is written by the broker process, so a power cut (not a
        process kill) can still lose the last second of its queued messages.

        """;

    private static string Report(RunFigures r)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(inv, $"## {(r.Long ? $"Long run ({r.Run.TotalMinutes:F0} minutes, every tier killed)" : "Short run (the CI test)")}");
        sb.AppendLine();
        sb.AppendLine(inv, $"<!-- {DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores -->");
        sb.AppendLine();
        sb.AppendLine("Site: Mosquitto (password file + ACL, persistence saved on every change) as the cloud broker, PostgreSQL,");
        sb.AppendLine(inv, $"the cloud portal, two fog services (1 s windows, 0.5 s grace) and {r.Edges} edge agents replaying an image folder in a loop");
        sb.AppendLine(r.Long
            ? "as fast as they can (a busy scene: six 160 px faces cross the frame together, 18 people per loop; the edges run the cheapest detector, BlazeFace front, since the load under test is on the fogs, brokers and portal), all on 127.0.0.1."
            : "at their frame rate (two people walking through, 24 frames each), all on 127.0.0.1.");
        sb.AppendLine("Each tier is SIGKILLed, left down 5 s, restarted with the same settings, then the site runs steadily before the next fault.");
        sb.AppendLine();
        sb.AppendLine("| measure | value |");
        sb.AppendLine("|---|---|");
        sb.AppendLine(inv, $"| run length (site up to edges stopped) | {r.Run.TotalSeconds:F0} s |");
        sb.AppendLine(inv, $"| crops the fogs acknowledged to the edges | {r.Acknowledged:N0}{(r.EdgeKilled ? " (at least: the killed edge's last 5 s are not in its log)" : string.Empty)} |");
        sb.AppendLine(inv, $"| crop rate | {r.Acknowledged / r.Run.TotalSeconds:F1} per second |");
        sb.AppendLine(inv, $"| faces in the stored windows | {r.Faces:N0} |");
        sb.AppendLine(inv, $"| demographics windows produced (in fog outboxes) | {r.Windows:N0} |");
        sb.AppendLine(inv, $"| window rate | {r.Windows / r.Run.TotalMinutes:F1} per minute |");
        foreach (var (tier, down) in r.Outages)
        {
            sb.AppendLine(inv, $"| {tier} outage (SIGKILL to healthy again) | {down.TotalSeconds:F1} s |");
        }

        sb.AppendLine(inv, $"| windows stored | {r.Windows:N0}, each exactly once; every window logged as produced is stored |");
        if (r.UnloggedAtKill > 0)
        {
            sb.AppendLine(inv, $"| of which closed just before a fog's SIGKILL, log line lost with the process | {r.UnloggedAtKill} |");
        }
        return sb.ToString();
    }

    /// <summary>What one edge's log says it had acknowledged, over all its process runs (restarts append to the log).</summary>
    private sealed record EdgeAcknowledgements(long Acknowledged, long LeftInOutbox, int Killed)
    {
        public static EdgeAcknowledgements Parse(string log)
        {
            long acknowledged = 0, left = 0, runLast = 0;
            int killed = 0, runs = 0;
            var open = false;
            foreach (Match m in EdgeEvent().Matches(log))
            {
                if (m.Groups["start"].Success)
                {
                    if (open)
                    {
                        acknowledged += runLast; // the previous run ended without "Stopped": SIGKILLed
                        killed++;
                    }

                    open = true;
                    runLast = 0;
                    runs++;
                }
                else if (m.Groups["status"].Success)
                {
                    runLast = long.Parse(m.Groups["status"].Value, CultureInfo.InvariantCulture);
                }
                else
                {
                    acknowledged += long.Parse(m.Groups["stopped"].Value, CultureInfo.InvariantCulture);
                    left = long.Parse(m.Groups["left"].Value, CultureInfo.InvariantCulture); // only the last run's outbox is left
                    open = false;
                }
            }

            Assert.True(runs > 0 && !open, "every edge logs its start and, on a graceful stop, what it acknowledged");
            return new EdgeAcknowledgements(acknowledged, left, killed);
        }
    }

    [GeneratedRegex(@"Started edge (?<start>\S+):|acknowledged (?<status>\d+), outbox|Stopped: (?<stopped>\d+) crops acknowledged by the fog since start, (?<left>\d+) left in the outbox")]
    private static partial Regex EdgeEvent();

    [GeneratedRegex("as message ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})")]
    private static partial Regex WindowLine();
}
