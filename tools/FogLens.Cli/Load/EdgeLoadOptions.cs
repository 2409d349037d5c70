namespace FogLens.Cli.Load;

/// <summary>What `./foglens bench load --edges-only` simulates: one fog's fan-in of edges sending face crops.</summary>
internal sealed record EdgeLoadOptions
{
    public int Edges { get; init; } = 50;

    /// <summary>Crops each edge sends per second (one per person track).</summary>
    public double CropsPerSecond { get; init; } = 10;

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Mosquitto as the edge broker; otherwise the fog's embedded broker.</summary>
    public bool Mosquitto { get; init; }

    /// <summary>The edge Mosquitto's autosave after this many changes (1 as shipped).</summary>
    public int BrokerSaveEvery { get; init; } = 1;

    /// <summary><c>fp32</c> or <c>int8</c>.</summary>
    public string Precision { get; init; } = "fp32";

    /// <summary>Folder of face JPEGs the edges send (e.g. the UTKFace chips).</summary>
    public required string Faces { get; init; }

    public required string DataDirectory { get; init; }

    /// <summary>Extra fog settings, each <c>Section:Key=value</c>.</summary>
    public IReadOnlyList<string> FogSettings { get; init; } = [];

    public double OfferedPerSecond => Edges * CropsPerSecond;

    /// <summary>The combinations refused, each as one line naming the options.</summary>
    public string? Problem() =>
        Edges is < 1 or > 1000 ? $"--edges must be between 1 and 1000; got {Edges}"
        : CropsPerSecond is < 0.1 or > 1000 ? $"--crops-per-second must be between 0.1 and 1000; got {CropsPerSecond}"
        : Duration < TimeSpan.FromSeconds(1) || Duration > TimeSpan.FromHours(2) ? $"--duration must be between 1 and 7200 seconds; got {Duration.TotalSeconds}"
        : BrokerSaveEvery is < 1 or > 1_000_000 ? $"--broker-save-every must be between 1 and 1000000; got {BrokerSaveEvery}"
        : Precision is not ("fp32" or "int8") ? $"--precision must be fp32 or int8; got {Precision}"
        : FogSettings.FirstOrDefault(f => !f.Contains(':', StringComparison.Ordinal) || !f.Contains('=', StringComparison.Ordinal)) is { } bad ? $"--fog-setting must be Section:Key=value; got {bad}"
        : !Directory.Exists(Faces) ? $"--faces: no folder {Faces} (a folder of face JPEGs, e.g. ../shared/datasets/utkface-part1)"
        : null;
}
