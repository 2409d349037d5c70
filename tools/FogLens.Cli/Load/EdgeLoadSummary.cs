using System.Text.Json.Serialization;

namespace FogLens.Cli.Load;

/// <summary>The JSON summary of a fan-in run (`bench load --edges-only --out FILE`).</summary>
internal sealed record EdgeLoadSummary
{
    [JsonPropertyName("edges")]
    public int Edges { get; init; }

    [JsonPropertyName("edge_broker")]
    public required string EdgeBroker { get; init; }

    /// <summary>The edge Mosquitto's autosave after this many changes (null with the embedded broker).</summary>
    [JsonPropertyName("broker_save_every")]
    public int? BrokerSaveEvery { get; init; }

    [JsonPropertyName("fog_settings")]
    public IReadOnlyList<string> FogSettings { get; init; } = [];

    [JsonPropertyName("precision")]
    public required string Precision { get; init; }

    [JsonPropertyName("offered_crops_per_s")]
    public double OfferedPerSecond { get; init; }

    /// <summary>Crops the edges got acknowledged during the live period, per second.</summary>
    [JsonPropertyName("accepted_crops_per_s")]
    public double AcceptedPerSecond { get; init; }

    /// <summary>Crops whose age the fog estimated during the live period, per second.</summary>
    [JsonPropertyName("inferred_crops_per_s")]
    public double InferredPerSecond { get; init; }

    /// <summary>Inferred during the live period ≥ 95 % of offered, and what was still waiting at its end ≤ 2 s of offered load.</summary>
    [JsonPropertyName("keeps_up")]
    public bool KeepsUp { get; init; }

    /// <summary>Crop creation at the edge to its age estimate at the fog (FIFO matching of the fog's counter, 100 ms polls).</summary>
    [JsonPropertyName("p50_ms")]
    public double P50Ms { get; init; }

    [JsonPropertyName("p95_ms")]
    public double P95Ms { get; init; }

    [JsonPropertyName("p99_ms")]
    public double P99Ms { get; init; }

    [JsonPropertyName("crops_created")]
    public long Created { get; init; }

    [JsonPropertyName("crops_acknowledged")]
    public long Acknowledged { get; init; }

    [JsonPropertyName("crops_inferred")]
    public long Inferred { get; init; }

    /// <summary>Faces counted in the demographics windows the fog sent to the cloud broker (deduplicated by message id).</summary>
    [JsonPropertyName("faces_in_windows")]
    public long FacesInWindows { get; init; }

    /// <summary>Highest depth of the fog's crop spool (received, not yet inferred) seen.</summary>
    [JsonPropertyName("max_queue_depth")]
    public int MaxQueueDepth { get; init; }

    /// <summary>Failed publishes + crops the fog rejected, found corrupt or counted as duplicates + crops not inferred + faces missing from windows.</summary>
    [JsonPropertyName("errors")]
    public long Errors { get; init; }

    [JsonPropertyName("duration_s")]
    public double DurationSeconds { get; init; }

    [JsonPropertyName("cpu_s")]
    public required IReadOnlyDictionary<string, double> CpuSeconds { get; init; }

    [JsonPropertyName("cores")]
    public int Cores { get; init; } = Environment.ProcessorCount;

    [JsonPropertyName("load_average")]
    public double LoadAverage { get; init; }
}
