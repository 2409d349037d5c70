using System.Text.Json.Serialization;

namespace FogLens.Cli.Load;

/// <summary>The JSON summary of a load run (`--out FILE`).</summary>
internal sealed record LoadSummary
{
    [JsonPropertyName("windows_per_s")]
    public double WindowsPerSecond { get; init; }

    [JsonPropertyName("p50_ms")]
    public double P50Ms { get; init; }

    [JsonPropertyName("p95_ms")]
    public double P95Ms { get; init; }

    [JsonPropertyName("p99_ms")]
    public double P99Ms { get; init; }

    /// <summary>Publishes refused or failed, plus live windows never stored.</summary>
    [JsonPropertyName("errors")]
    public long Errors { get; init; }

    [JsonPropertyName("replicas")]
    public int Replicas { get; init; }

    [JsonPropertyName("database")]
    public required string Database { get; init; }

    [JsonPropertyName("fogs")]
    public int Fogs { get; init; }

    [JsonPropertyName("edges_per_fog")]
    public int EdgesPerFog { get; init; }

    [JsonPropertyName("offered_windows_per_s")]
    public double OfferedPerSecond { get; init; }

    [JsonPropertyName("live_published")]
    public long LivePublished { get; init; }

    [JsonPropertyName("live_stored")]
    public long LiveStored { get; init; }

    [JsonPropertyName("status_published")]
    public long StatusPublished { get; init; }

    [JsonPropertyName("duration_s")]
    public double DurationSeconds { get; init; }

    [JsonPropertyName("backlog_windows")]
    public long BacklogWindows { get; init; }

    /// <summary>Backlog windows seen committed before the drain deadline.</summary>
    [JsonPropertyName("backlog_stored")]
    public long BacklogStored { get; init; }

    /// <summary>Seconds from the first backlog publish until the last backlog window was committed; null without a backlog or when it did not drain.</summary>
    [JsonPropertyName("backlog_drain_s")]
    public double? BacklogDrainSeconds { get; init; }

    /// <summary>CPU seconds used during the run by each process of the set-up (portal replicas, mosquitto, postgres, this generator).</summary>
    [JsonPropertyName("cpu_s")]
    public required IReadOnlyDictionary<string, double> CpuSeconds { get; init; }

    [JsonPropertyName("cores")]
    public int Cores { get; init; } = Environment.ProcessorCount;
}
