using System.Text.Json;
using System.Text.Json.Serialization;

namespace FogLens.Federated.Experiments;

/// <summary>
/// A run's <c>summary.json</c>: MAE at the start, end and best (the sites' MAE in the site-shift scenario,
/// else validation), bytes up and down, and bits to accuracy against the dense FedAvg reference of the same
/// scenario and partition: the bits (cumulative, both directions) spent until the metric first reached
/// <c>reference final + 0.3</c>, and whether the last 5 rounds all stay within that band.
/// </summary>
public sealed record RunSummary
{
    /// <summary>Band above the dense reference's final MAE that counts as "reached" (years).</summary>
    public const double TargetBand = 0.3;

    /// <summary>Rounds at the end of a run that must all stay in the band.</summary>
    public const int StableRounds = 5;

    public const string FileName = "summary.json";

    [JsonPropertyName("run")]
    public required string Run { get; init; }

    [JsonPropertyName("scenario")]
    public required string Scenario { get; init; }

    [JsonPropertyName("metric")]
    public required string Metric { get; init; }

    [JsonPropertyName("rounds")]
    public int Rounds { get; init; }

    [JsonPropertyName("base_mae")]
    public double BaseMae { get; init; }

    [JsonPropertyName("final_mae")]
    public double FinalMae { get; init; }

    [JsonPropertyName("best_mae")]
    public double BestMae { get; init; }

    [JsonPropertyName("final_validation_mae")]
    public double FinalValidationMae { get; init; }

    [JsonPropertyName("upload_bytes")]
    public long UploadBytes { get; init; }

    [JsonPropertyName("download_bytes")]
    public long DownloadBytes { get; init; }

    /// <summary>The dense FedAvg run the target comes from (null when the runs folder has none).</summary>
    [JsonPropertyName("reference")]
    public string? Reference { get; init; }

    [JsonPropertyName("target_mae")]
    public double? TargetMae { get; init; }

    /// <summary>Share of the reference's gain (base − final at the same round) this run keeps at its last round.</summary>
    [JsonPropertyName("gain_kept")]
    public double? GainKept { get; init; }

    [JsonPropertyName("round_to_target")]
    public int? RoundToTarget { get; init; }

    [JsonPropertyName("bits_to_target_up")]
    public double? BitsToTargetUp { get; init; }

    [JsonPropertyName("bits_to_target_down")]
    public double? BitsToTargetDown { get; init; }

    /// <summary>Whether the last <see cref="StableRounds"/> rounds all have MAE ≤ target.</summary>
    [JsonPropertyName("in_band_last_5")]
    public bool? InBandLast5 { get; init; }

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>Summarises <paramref name="run"/> against <paramref name="reference"/> (a dense FedAvg run, or null).</summary>
    public static RunSummary Compute(ExperimentRun run, ExperimentRun? reference)
    {
        ArgumentNullException.ThrowIfNull(run);
        var rounds = run.Rounds;
        var last = rounds[^1];
        double? target = reference?.Last is { } r ? r.Metric + TargetBand : null;
        var reached = target is null ? null : rounds.FirstOrDefault(x => x.Metric <= target.Value);
        double? gain = null;
        if (reference is not null)
        {
            var referenceRound = reference.Rounds.LastOrDefault(x => x.Round <= last.Round);
            var referenceGain = referenceRound is null ? 0 : reference.Rounds[0].Metric - referenceRound.Metric;
            gain = referenceGain > 0 ? (rounds[0].Metric - last.Metric) / referenceGain : null;
        }

        var tail = rounds.Where(x => x.Round > 0).TakeLast(StableRounds).ToList();
        return new RunSummary
        {
            Run = run.Options.Name,
            Scenario = run.Options.Scenario,
            Metric = double.IsFinite(last.SitesMae) ? "sites" : "validation",
            Rounds = last.Round,
            BaseMae = rounds[0].Metric,
            FinalMae = last.Metric,
            BestMae = rounds.Min(x => x.Metric),
            FinalValidationMae = last.Mae,
            UploadBytes = last.CumulativeUploadBytes,
            DownloadBytes = CumulativeDownload(run, last.Round),
            Reference = reference?.Options.Name,
            TargetMae = target,
            GainKept = gain,
            RoundToTarget = reached?.Round,
            BitsToTargetUp = reached is null ? null : 8.0 * reached.CumulativeUploadBytes,
            BitsToTargetDown = reached is null ? null : 8.0 * CumulativeDownload(run, reached.Round),
            InBandLast5 = target is null || tail.Count < StableRounds ? null : tail.All(x => x.Metric <= target.Value),
        };
    }

    /// <summary>
    /// The dense FedAvg reference of <paramref name="run"/>: plain FedAvg (dense codec, synchronous, no stragglers,
    /// every layer trained, server SGD with η = 1 and no momentum) of the same scenario, partition, fogs, seed and
    /// data limits, preferring the same local epochs and learning rate; null when there is none.
    /// </summary>
    public static ExperimentRun? FindReference(IEnumerable<ExperimentRun> runs, ExperimentRun run)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(run);
        var o = run.Options;
        return runs.Where(r => r.Options is { Codec: "dense", Mode: "sync", StragglerRate: 0, Trainable: "all", ServerOptimizer: "sgd", ServerLearningRate: 1, ServerMomentum: 0 }
                && r.Options.Scenario == o.Scenario && r.Options.Partition == o.Partition && r.Options.Alpha.Equals(o.Alpha)
                && r.Options.Fogs == o.Fogs && r.Options.Seed == o.Seed && r.Options.TrainLimit == o.TrainLimit
                && r.Options.BaseEpochs == o.BaseEpochs && r.Options.BaseLimit == o.BaseLimit && r.Last is not null)
            .OrderBy(r => r.Options.LocalEpochs == o.LocalEpochs && r.Options.LearningRate.Equals(o.LearningRate) ? 0 : 1)
            .ThenBy(r => r.Options.LocalEpochs == 1 ? 0 : 1)
            .ThenByDescending(r => r.Last!.Round)
            .ThenBy(r => r.Options.Name, StringComparer.Ordinal)
            .FirstOrDefault();
    }

    /// <summary>Writes <c>summary.json</c> into the run's folder.</summary>
    public void Save(string runFolder) => File.WriteAllText(Path.Combine(runFolder, FileName), JsonSerializer.Serialize(this, Json) + "\n");

    public static RunSummary? Load(string runFolder)
    {
        var path = Path.Combine(runFolder, FileName);
        return File.Exists(path) ? JsonSerializer.Deserialize<RunSummary>(File.ReadAllText(path), Json) : null;
    }

    private static long CumulativeDownload(ExperimentRun run, int round) =>
        run.Rounds.Where(x => x.Round <= round).Sum(x => x.DownloadBytes);
}
