using FogLens.AgeModel.Data;
using FogLens.Federated.Experiments;
using FogLens.Tests.Shared;

namespace FogLens.Federated.Tests;

/// <summary>The experiment harness on a tiny subset (2 fogs, 2 rounds): records, bits accounting, resume, report.</summary>
[Collection("Torch global state")]
public sealed class FederatedSimulationTests
{
    [Fact]
    public void TwoRounds_OnTwoFogs_LogRecordsResumeAndReport()
    {
        var dataset = TestPaths.RequireDataset();
        var (train, validation) = DatasetSplit.Split(UtkFaceDataset.Scan(dataset).Samples);
        var folder = Directory.CreateTempSubdirectory("foglens-fl-").FullName;
        try
        {
            var options = new ExperimentOptions { Name = "ci", Fogs = 2, Rounds = 1, Codec = "sbc", Sparsity = 0.01, TrainLimit = 160, ValidationLimit = 60, Threads = 2, Mode = "async", StragglerRate = 1 };
            var baseModel = Path.Combine(TestPaths.RepoRoot, "models", "age");
            var run = Path.Combine(folder, "ci");
            var lines = new List<string>();
            var first = new FederatedSimulation(options, baseModel, run, lines.Add).Run(train, validation, TestContext.Current.CancellationToken);
            Assert.Equal([0, 1], first.Rounds.Select(r => r.Round));
            Assert.Equal(1, first.Rounds[1].Late); // fog 1 always misses the deadline here
            Assert.Equal(1, first.Rounds[1].Applied);

            // A second invocation with more rounds resumes after round 1; the late update is applied, staleness-weighted.
            Assert.Throws<InvalidOperationException>(() => new FederatedSimulation(options with { Codec = "dense" }, baseModel, run, lines.Add).Run(train, validation, TestContext.Current.CancellationToken));
            var full = new FederatedSimulation(options with { Rounds = 2 }, baseModel, run, lines.Add).Run(train, validation, TestContext.Current.CancellationToken);
            Assert.Contains(lines, l => l.Contains("resuming after round 1", StringComparison.Ordinal));
            Assert.Equal(first.Rounds[1].Mae, full.Rounds[1].Mae);
            Assert.Equal(first.Rounds[1].UploadBytes, full.Rounds[1].UploadBytes);
            var last = full.Rounds[2];
            Assert.Equal(1, last.Stale);
            Assert.Equal(2, last.Applied);
            Assert.Contains(lines, l => l.Contains("late, kept for the next round", StringComparison.Ordinal));
            Assert.All(full.Rounds, r => Assert.True(double.IsFinite(r.Mae) && r.Mae > 0 && r.Mae < 30));
            Assert.Equal(full.Rounds.Sum(r => r.UploadBytes), last.CumulativeUploadBytes);
            Assert.True(last.CompressionRatio > 100, $"SBC at p = 0.01 sends over 100× less than dense, got {last.CompressionRatio:F0}");
            Assert.Equal(2L * 2 * full.ModelParameters * 4, last.CumulativeDenseUploadBytes);

            var again = new FederatedSimulation(options with { Rounds = 2 }, baseModel, run, lines.Add).Run(train, validation, TestContext.Current.CancellationToken);
            Assert.Equal(full.Rounds, again.Rounds, (a, b) => a.Round == b.Round && a.Mae.Equals(b.Mae));
            Assert.Contains(lines, l => l.Contains("already done", StringComparison.Ordinal));

            var report = Path.Combine(folder, "results.md");
            ExperimentReport.Write([full], report);
            var text = File.ReadAllText(report);
            Assert.Contains("| ci | uniform | iid | sbc | 0.01 | —; async, straggler 100 % | 2 |", text, StringComparison.Ordinal);
            Assert.True(new FileInfo(Path.Combine(folder, "results-mae-vs-download.png")).Length > 1000);
            Assert.True(new FileInfo(Path.Combine(folder, "results-mae-per-round.png")).Length > 1000);
            Assert.True(new FileInfo(Path.Combine(folder, "results-mae-vs-upload.png")).Length > 1000);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
