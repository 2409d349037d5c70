using System.Globalization;
using System.Text;
using OpenCvSharp;

namespace FogLens.Federated.Experiments;

/// <summary>
/// Writes <c>docs/federated-results.md</c> from run logs: one table row per run (final and best MAE,
/// upload, bits per parameter per round, compression ratio against dense FedAvg, wall time, and the
/// SBC goal check against the dense run with the same partition and local epochs) and two plots drawn
/// with OpenCV: MAE per round and MAE against cumulative upload (log scale).
/// </summary>
public static class ExperimentReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>
    /// Writes the report. <paramref name="notes"/> (Markdown, e.g. the runs folder's NOTES.md) is placed after the
    /// tables: the reading of the numbers, written by a person, kept beside the runs so regenerating keeps it.
    /// </summary>
    public static void Write(IReadOnlyList<ExperimentRun> runs, string markdownPath, string? notes = null)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var folder = Path.GetDirectoryName(Path.GetFullPath(markdownPath))!;
        Directory.CreateDirectory(folder);
        var stem = Path.GetFileNameWithoutExtension(markdownPath);
        var groups = runs.GroupBy(r => (r.Options.Scenario, r.Options.Partition)).OrderBy(g => g.Key.Scenario, StringComparer.Ordinal).ThenBy(g => g.Key.Partition, StringComparer.Ordinal).ToList();
        var charts = new List<(string Title, string RoundFile, string UploadFile, string DownloadFile)>();
        foreach (var group in groups)
        {
            var suffix = groups.Count == 1 ? string.Empty : (group.Key.Scenario == SiteShiftScenario.Uniform ? string.Empty : "-" + group.Key.Scenario) + "-" + group.Key.Partition;
            var roundFile = $"{stem}-mae-per-round{suffix}.png";
            var uploadFile = $"{stem}-mae-vs-upload{suffix}.png";
            var downloadFile = $"{stem}-mae-vs-download{suffix}.png";
            var metric = group.Any(r => double.IsFinite(r.Rounds[0].SitesMae)) ? "sites' MAE" : "validation MAE";
            var series = group.OrderBy(r => r.Options.Codec != "dense").ThenBy(r => r.Options.Name, StringComparer.Ordinal).Select(r => (r.Options.Name, r.Rounds)).ToList();
            LineChart.Save(
                Path.Combine(folder, roundFile),
                $"{metric} per round ({group.Key.Scenario}, {group.Key.Partition})",
                "round",
                [.. series.Select(s => (s.Name, s.Rounds.Select(r => ((double)r.Round, r.Metric)).ToArray()))],
                logX: false);
            LineChart.Save(
                Path.Combine(folder, uploadFile),
                $"{metric} vs cumulative upload bits, log scale ({group.Key.Scenario}, {group.Key.Partition})",
                "cumulative upload (bits)",
                [.. series.Select(s => (s.Name, s.Rounds.Where(r => r.Round > 0).Select(r => (r.CumulativeUploadBytes * 8.0, r.Metric)).ToArray()))],
                logX: true);
            LineChart.Save(
                Path.Combine(folder, downloadFile),
                $"{metric} vs cumulative download bits, log scale ({group.Key.Scenario}, {group.Key.Partition})",
                "cumulative download (bits)",
                [.. series.Select(s => (s.Name, s.Rounds.Where(r => r.Round > 0).Select(r => (Download(s.Rounds, r.Round) * 8.0, r.Metric)).ToArray()))],
                logX: true);
            charts.Add(($"{group.Key.Scenario}, {group.Key.Partition}", roundFile, uploadFile, downloadFile));
        }

        File.WriteAllText(markdownPath, Markdown(runs, charts, notes));
    }

    /// <summary>A plain-text table of every run's summary (for the console).</summary>
    public static string SummaryTable(IReadOnlyList<ExperimentRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var sb = new StringBuilder();
        sb.AppendLine(string.Create(Inv, $"{"run",-48} {"base",7} {"final",7} {"best",7} {"gain",6} {"up MB",9} {"down MB",9} {"bits→target up",15} {"down",10} {"band",5}"));
        foreach (var run in Ordered(runs))
        {
            var s = RunSummary.Compute(run, RunSummary.FindReference(runs, run));
            sb.AppendLine(string.Create(Inv, $"{run.Options.Name,-48} {s.BaseMae,7:F3} {s.FinalMae,7:F3} {s.BestMae,7:F3} {(s.GainKept is { } g ? g.ToString("P0", Inv) : "—"),6} {s.UploadBytes / 1e6,9:F3} {s.DownloadBytes / 1e6,9:F1} {Bits(s.BitsToTargetUp),15} {Bits(s.BitsToTargetDown),10} {(s.InBandLast5 is { } b ? (b ? "yes" : "no") : "—"),5}"));
        }

        return sb.ToString();
    }

    private static IEnumerable<ExperimentRun> Ordered(IReadOnlyList<ExperimentRun> runs) =>
        runs.OrderBy(r => r.Options.Scenario, StringComparer.Ordinal).ThenBy(r => r.Options.Partition, StringComparer.Ordinal)
            .ThenBy(r => r.Options.Codec != "dense").ThenBy(r => r.Options.Name, StringComparer.Ordinal);

    private static string Bits(double? bits) => bits is { } b ? b.ToString("0.00e+0", Inv) : "never";

    private static long Download(IReadOnlyList<RoundRecord> rounds, int round) => rounds.Where(r => r.Round <= round).Sum(r => r.DownloadBytes);

    private static string Markdown(IReadOnlyList<ExperimentRun> runs, List<(string Title, string RoundFile, string UploadFile, string DownloadFile)> charts, string? notes)
    {
        var sb = new StringBuilder();
        var siteShift = runs.Any(r => r.Options.HasSites);
        sb.AppendLine(siteShift ? "# Federated results: site-shift scenario, convergence levers and bits to accuracy" : "# Federated results: SBC against dense FedAvg, top-k, signSGD and Q8");
        sb.AppendLine();
        sb.AppendLine("Generated by `./foglens experiment report` from run logs (each run: `run.json` with its options, `rounds.jsonl` with one line per round, `summary.json`) and the runs folder's `NOTES.md`. Do not edit by hand: rerun the runs' script in `experiments/fl/` and the report.");
        sb.AppendLine();
        sb.AppendLine("Training, encoding, decoding and aggregation are the production code (`LocalTrainer`, the codecs with each fog's persisted residuals and velocities, `UpdateDecoder`, `UpdateAccumulator`, `ServerOptimizer`). Upload counts the codec payload bytes of every update sent, late ones included; *dense* is 32 bits per parameter per update. Download is the full global model as float32 to every fog every round, except in runs with *down: … deltas* in their levers: there it is the compressed delta each fog fetches (fogs start with the base, so round 1 downloads nothing). "
            + (siteShift ? "MAE is the sites' MAE (union of the fogs' local test faces) for site-shift runs, validation MAE otherwise; *val* is the global validation split. " : string.Empty)
            + "*Gain kept* is (base − final) over the dense FedAvg reference's (base − final) at the same round; *bits to target* are the cumulative bits (up, down) when the MAE first reaches the reference's final MAE + 0.3; *in band* says whether the last 5 rounds all stay at or below that target.");
        sb.AppendLine();
        sb.AppendLine("| run | scenario | partition | codec | p | levers | rounds | MAE base | MAE final | MAE best | val final | gain kept | upload MB | download MB | bits to target up | bits to target down | × fewer up bits than dense to target | in band (last 5) | wall min |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var run in Ordered(runs))
        {
            var o = run.Options;
            var last = run.Last!;
            var reference = RunSummary.FindReference(runs, run);
            var s = RunSummary.Compute(run, reference);
            var referenceSummary = reference is null ? null : RunSummary.Compute(reference, reference);
            var fewer = s.BitsToTargetUp is { } up && referenceSummary?.BitsToTargetUp is { } denseUp && up > 0 ? (denseUp / up).ToString("N0", Inv) : "—";
            sb.AppendLine(string.Create(Inv, $"| {o.Name} | {o.Scenario} | {o.Partition} | {o.Codec} | {(o.Codec is "sbc" or "topk" or "stc" ? o.Sparsity.ToString(Inv) : "—")} | {ExperimentLevers.Describe(o)}{(o.Mode != "sync" || o.StragglerRate > 0 ? $"; {o.Mode}, straggler {o.StragglerRate:P0}" : string.Empty)} | {last.Round} | {s.BaseMae:F3} | {s.FinalMae:F3} | {s.BestMae:F3} | {last.Mae:F3} | {(s.GainKept is { } g ? g.ToString("P0", Inv) : "—")} | {s.UploadBytes / 1e6:F3} | {s.DownloadBytes / 1e6:F1} | {Bits(s.BitsToTargetUp)} | {Bits(s.BitsToTargetDown)} | {fewer} | {(s.InBandLast5 is { } b ? (b ? "yes" : "no") : "—")} | {last.CumulativeSeconds / 60:F1} |"));
        }

        sb.AppendLine();
        sb.AppendLine("## Goal checks");
        sb.AppendLine();
        sb.AppendLine("Gain kept at equal rounds: SBC p = 0.01 ≥ 90 %, p = 0.001 ≥ 75 % of dense FedAvg's gain over the base. Bits to accuracy: reaching dense's final MAE + 0.3 with ≥ ×1,000 fewer upload bits than dense needs, and staying in that band for the last 5 rounds.");
        sb.AppendLine();
        var compressed = Ordered(runs).Where(r => r.Options.Codec != "dense").ToList();
        if (compressed.Count == 0)
        {
            sb.AppendLine("No compressed runs yet.");
        }

        foreach (var run in compressed)
        {
            var reference = RunSummary.FindReference(runs, run);
            if (reference is null)
            {
                sb.AppendLine($"- **{run.Options.Name}**: no dense FedAvg reference with the same scenario and partition.");
                continue;
            }

            var s = RunSummary.Compute(run, reference);
            var r = RunSummary.Compute(reference, reference);
            var need = run.Options.Sparsity <= 0.001 ? 0.75 : 0.90;
            var gainText = s.GainKept is { } g
                ? string.Create(Inv, $"keeps {g:P0} of dense's gain at round {s.Rounds} (goal {need:P0}: {(g >= need ? "**met**" : $"**missed** by {(need - g) * 100:F0} points")})")
                : "dense shows no gain to keep";
            string bitsText;
            if (s.BitsToTargetUp is { } up && r.BitsToTargetUp is { } denseUp)
            {
                var ratio = denseUp / up;
                bitsText = string.Create(Inv, $"reaches {s.TargetMae:F3} at round {s.RoundToTarget} with {up:0.00e+0} upload bits, ×{ratio:N0} fewer than dense ({denseUp:0.00e+0}; goal ×1,000: {(ratio >= 1000 ? "**met**" : "**missed**")}), {(s.InBandLast5 == true ? "stays in the band for the last 5 rounds" : "**leaves the band** in the last 5 rounds")}");
            }
            else
            {
                bitsText = string.Create(Inv, $"**never reaches** the target {s.TargetMae:F3} (best {s.BestMae:F3})");
            }

            sb.AppendLine($"- **{run.Options.Name}** (vs {reference.Options.Name}): {gainText}; {bitsText}.");
        }

        sb.AppendLine();
        sb.AppendLine(siteShift ? "## Sites' MAE per age group after the last round" : "## MAE per age group after the last round");
        sb.AppendLine();
        var groupNames = runs.SelectMany(r => (r.Last!.SitesGroupMae ?? r.Last.GroupMae).Keys).Distinct().ToList();
        sb.AppendLine("| run | base/final | " + string.Join(" | ", groupNames) + " |");
        sb.AppendLine("|---|---|" + string.Concat(groupNames.Select(_ => "---|")));
        foreach (var run in Ordered(runs))
        {
            foreach (var (label, record) in new[] { ("base", run.Rounds[0]), ("final", run.Last!) })
            {
                if (label == "base" && run.Options.Codec != "dense")
                {
                    continue; // the base is the same for every run of a scenario: shown once, with the dense run
                }

                var groups = record.SitesGroupMae ?? record.GroupMae;
                sb.AppendLine($"| {run.Options.Name} | {label} | " + string.Join(" | ", groupNames.Select(g => groups.TryGetValue(g, out var v) && double.IsFinite(v) ? v.ToString("F2", Inv) : "—")) + " |");
            }
        }

        if (!string.IsNullOrWhiteSpace(notes))
        {
            sb.AppendLine();
            sb.AppendLine(notes.Trim());
        }

        foreach (var (title, roundFile, uploadFile, downloadFile) in charts)
        {
            sb.AppendLine();
            sb.AppendLine($"## Plots: {title}");
            sb.AppendLine();
            sb.AppendLine($"![MAE per round, {title}]({roundFile})");
            sb.AppendLine();
            sb.AppendLine($"![MAE vs cumulative upload bits, {title}]({uploadFile})");
            sb.AppendLine();
            sb.AppendLine($"![MAE vs cumulative download bits, {title}]({downloadFile})");
        }

        return sb.ToString();
    }

    /// <summary>A small line chart drawn with OpenCV (no plotting library is available on the build machines).</summary>
    private static class LineChart
    {
        private static readonly Scalar[] Palette =
        [
            new(180, 119, 31), new(14, 127, 255), new(44, 160, 44), new(40, 39, 214), new(189, 103, 148),
            new(75, 86, 140), new(194, 119, 227), new(127, 127, 127), new(34, 189, 188), new(207, 190, 23),
            new(0, 0, 0), new(0, 90, 200), new(120, 0, 120), new(0, 140, 70), new(150, 150, 0), new(90, 90, 255),
        ];

        public static void Save(string path, string title, string xLabel, IReadOnlyList<(string Name, (double X, double Y)[] Points)> series, bool logX)
        {
            const int width = 1400, height = 620;
            var area = new Rect(80, 50, 640, 500);
            using var image = new Mat(height, width, MatType.CV_8UC3, Scalar.White);
            var points = series.SelectMany(s => s.Points).Where(p => double.IsFinite(p.Y) && (!logX || p.X > 0)).ToList();
            if (points.Count == 0)
            {
                points = [(1, 0), (2, 1)];
            }

            double Tx(double x) => logX ? Math.Log10(x) : x;
            var (x0, x1) = (points.Min(p => Tx(p.X)), points.Max(p => Tx(p.X)));
            if (logX)
            {
                (x0, x1) = (Math.Floor(x0), Math.Ceiling(x1));
            }

            var (y0, y1) = (points.Min(p => p.Y), points.Max(p => p.Y));
            var pad = Math.Max(0.02, (y1 - y0) * 0.08);
            (y0, y1) = (y0 - pad, y1 + pad);
            if (x1 <= x0)
            {
                x1 = x0 + 1;
            }

            Point ToPixel(double x, double y) => new(
                area.X + (int)((Tx(x) - x0) / (x1 - x0) * area.Width),
                area.Bottom - (int)((y - y0) / (y1 - y0) * area.Height));
            Cv2.Rectangle(image, area, Scalar.Black, 1);
            for (var i = 0; i <= 5; i++)
            {
                var y = y0 + ((y1 - y0) * i / 5);
                var py = area.Bottom - (area.Height * i / 5);
                Cv2.Line(image, new Point(area.X, py), new Point(area.Right, py), new Scalar(230, 230, 230), 1);
                Text(image, y.ToString("F2", Inv), new Point(area.X - 50, py + 5));
            }

            if (logX)
            {
                for (var e = (int)x0; e <= (int)x1; e++)
                {
                    var px = area.X + (int)((e - x0) / (x1 - x0) * area.Width);
                    Cv2.Line(image, new Point(px, area.Y), new Point(px, area.Bottom), new Scalar(230, 230, 230), 1);
                    Text(image, Math.Pow(10, e).ToString("G3", Inv), new Point(px - 14, area.Bottom + 18));
                }
            }
            else
            {
                for (var x = (int)Math.Ceiling(x0); x <= (int)x1; x++)
                {
                    var px = ToPixel(x, y0).X;
                    Text(image, x.ToString(Inv), new Point(px - 4, area.Bottom + 18));
                }
            }

            for (var s = 0; s < series.Count; s++)
            {
                var color = Palette[s % Palette.Length];
                var pts = series[s].Points.Where(p => double.IsFinite(p.Y) && (!logX || p.X > 0)).Select(p => ToPixel(p.X, p.Y)).ToArray();
                for (var i = 1; i < pts.Length; i++)
                {
                    Cv2.Line(image, pts[i - 1], pts[i], color, 2, LineTypes.AntiAlias);
                }

                foreach (var p in pts)
                {
                    Cv2.Circle(image, p, 3, color, -1, LineTypes.AntiAlias);
                }

                var legend = new Point(area.Right + 20, area.Y + 10 + (s * 22));
                Cv2.Line(image, legend, legend + new Point(24, 0), color, 3);
                Text(image, series[s].Name, legend + new Point(30, 5));
            }

            Text(image, title, new Point(area.X, area.Y - 32));
            Text(image, xLabel, new Point(area.X + (area.Width / 2) - 40, area.Bottom + 40));
            Text(image, "MAE (years)", new Point(8, area.Y - 10));
            if (!Cv2.ImWrite(path, image))
            {
                throw new IOException($"could not write {path}");
            }
        }

        private static void Text(Mat image, string text, Point at) =>
            Cv2.PutText(image, text, at, HersheyFonts.HersheySimplex, 0.42, Scalar.Black, 1, LineTypes.AntiAlias);
    }
}
