using System.Text.Json;
using FogLens.AgeModel.Data;
using FogLens.Federated.Experiments;
using FogLens.Tests.Shared;

namespace FogLens.Federated.Tests;

/// <summary>
/// A short seeded site-shift run with every lever on (tiny limits): the files and fields of run.json,
/// rounds.jsonl and summary.json, and reproducibility round for round — also across a stop and resume,
/// which needs the persisted server momentum, client residuals and velocities. One torch thread: with
/// more, a loaded machine can change the order of torch's parallel reductions in the last bits. Tests that
/// train share one collection: each training session seeds torch's global generator, so sessions of tests
/// running in parallel would change each other's dropout masks.
/// </summary>
[Collection("Torch global state")]
public sealed class SiteShiftRunTests
{
    [Fact]
    public void ShortSeededRun_WritesFiles_AndIsReproducibleAcrossAResume()
    {
        var dataset = TestPaths.RequireDataset();
        var (train, validation) = DatasetSplit.Split(UtkFaceDataset.Scan(dataset).Samples);
        var folder = Directory.CreateTempSubdirectory("foglens-ss-").FullName;
        try
        {
            var options = new ExperimentOptions
            {
                Name = "straight", Scenario = SiteShiftScenario.SiteShift, Fogs = 2, Rounds = 2, Codec = "sbc", Sparsity = 0.01,
                TrainLimit = 100, ValidationLimit = 30, BaseLimit = 100, BaseEpochs = 1, Threads = 1, LearningRate = 1e-3, BatchSize = 16,
                DenseMaxElements = 256, ServerMomentum = 0.5, ClientMomentum = 0.5, WarmupRounds = 1, Trainable = "last-blocks",
            };
            var baseModel = Path.Combine(TestPaths.RepoRoot, "models", "age");
            var ct = TestContext.Current.CancellationToken;
            var lines = new List<string>();
            var straight = new FederatedSimulation(options, baseModel, Path.Combine(folder, "straight"), lines.Add).Run(train, validation, ct);
            Assert.Contains(lines, l => l.Contains("training the site-shift base model", StringComparison.Ordinal));
            Assert.True(File.Exists(Path.Combine(folder, SiteShiftScenario.BaseFolderName(options), "age-net.weights")));

            var resumedOptions = options with { Name = "resumed" };
            new FederatedSimulation(resumedOptions with { Rounds = 1 }, baseModel, Path.Combine(folder, "resumed"), lines.Add).Run(train, validation, ct);
            var resumed = new FederatedSimulation(resumedOptions, baseModel, Path.Combine(folder, "resumed"), lines.Add).Run(train, validation, ct);
            Assert.Contains(lines, l => l.Contains("resuming after round 1", StringComparison.Ordinal));
            Assert.Equal(1, lines.Count(l => l.Contains("training the site-shift base model", StringComparison.Ordinal))); // cached

            Assert.Equal([0, 1, 2], straight.Rounds.Select(r => r.Round));
            var trace = string.Join("; ", straight.Rounds.Zip(resumed.Rounds).Select(p => $"r{p.First.Round}: {p.First.SitesMae:R}/{p.Second.SitesMae:R} {p.First.Mae:R}/{p.Second.Mae:R} {p.First.UploadBytes}/{p.Second.UploadBytes}"));
            for (var i = 0; i < straight.Rounds.Count; i++)
            {
                Assert.True(straight.Rounds[i].SitesMae.Equals(resumed.Rounds[i].SitesMae) && straight.Rounds[i].Mae.Equals(resumed.Rounds[i].Mae) && straight.Rounds[i].UploadBytes == resumed.Rounds[i].UploadBytes, trace);
            }

            Assert.All(straight.Rounds, r => Assert.True(double.IsFinite(r.SitesMae) && r.SitesMae > 0 && double.IsFinite(r.Mae)));
            Assert.True(straight.Rounds[1].UploadBytes > straight.Rounds[2].UploadBytes, "the warm-up round sends more than the next");
            Assert.Equal(2L * straight.ModelParameters * 4, straight.Rounds[1].DownloadBytes);
            Assert.Equal(2L * 2 * straight.ModelParameters * 4, straight.Rounds[2].CumulativeDownloadBytes);

            // Delta broadcast: fogs start with the base (nothing downloaded in round 1), then fetch a delta far smaller than
            // the model; the model they hold and its delta are checkpointed, so a resumed run is the same round for round.
            var down = options with { Name = "down", Broadcast = "topk", BroadcastSparsity = 0.01 };
            var deltas = new FederatedSimulation(down, baseModel, Path.Combine(folder, "down"), lines.Add).Run(train, validation, ct);
            new FederatedSimulation(down with { Name = "down-resumed", Rounds = 1 }, baseModel, Path.Combine(folder, "down-resumed"), lines.Add).Run(train, validation, ct);
            var deltasResumed = new FederatedSimulation(down with { Name = "down-resumed" }, baseModel, Path.Combine(folder, "down-resumed"), lines.Add).Run(train, validation, ct);
            Assert.Equal(0, deltas.Rounds[1].DownloadBytes);
            Assert.InRange(deltas.Rounds[2].DownloadBytes, 1, straight.Rounds[2].DownloadBytes / 20);
            Assert.All(deltas.Rounds.Skip(1), r => Assert.True(r.BroadcastGap is >= 0 and < 1, $"held model gap {r.BroadcastGap}"));
            Assert.Equal(deltas.Rounds.Select(r => (r.SitesMae, r.Mae, r.DownloadBytes)), deltasResumed.Rounds.Select(r => (r.SitesMae, r.Mae, r.DownloadBytes)));

            var run = Path.Combine(folder, "straight");
            using (var header = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "run.json"))))
            {
                Assert.Equal("site-shift", header.RootElement.GetProperty("options").GetProperty("scenario").GetString());
            }

            var rounds = File.ReadAllLines(Path.Combine(run, "rounds.jsonl"));
            Assert.Equal(3, rounds.Length);
            foreach (var line in rounds)
            {
                using var record = JsonDocument.Parse(line);
                foreach (var field in new[] { "round", "sitesMae", "mae", "uploadBytes", "cumulativeUploadBytes", "downloadBytes", "cumulativeDownloadBytes" })
                {
                    Assert.True(record.RootElement.TryGetProperty(field, out _), $"rounds.jsonl lacks {field}: {line}");
                }
            }

            using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json")));
            foreach (var field in new[] { "base_mae", "final_mae", "best_mae", "upload_bytes", "download_bytes", "rounds", "bits_to_target_up", "bits_to_target_down" })
            {
                Assert.True(summary.RootElement.TryGetProperty(field, out _), $"summary.json lacks {field}");
            }

            Assert.Equal(straight.Rounds[0].SitesMae, summary.RootElement.GetProperty("base_mae").GetDouble());
            Assert.Equal(straight.Last!.CumulativeUploadBytes, summary.RootElement.GetProperty("upload_bytes").GetInt64());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
