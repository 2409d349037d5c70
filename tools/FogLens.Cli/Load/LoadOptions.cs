namespace FogLens.Cli.Load;

/// <summary>What `./foglens bench load` simulates and against which portal set-up.</summary>
internal sealed record LoadOptions
{
    public int Fogs { get; init; } = 200;

    public int EdgesPerFog { get; init; } = 10;

    /// <summary>Each edge closes one demographics window this often.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long the live load runs.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Each fog first sends this much backlog (an outage's windows) as fast as the broker takes it; zero: none.</summary>
    public TimeSpan Backlog { get; init; }

    public int Replicas { get; init; } = 1;

    /// <summary>PostgreSQL + Mosquitto (true) or SQLite + the embedded broker (false, one replica).</summary>
    public bool Postgres { get; init; } = true;

    /// <summary>Fog status messages are sent this often by each fog.</summary>
    public TimeSpan StatusInterval { get; init; } = TimeSpan.FromSeconds(10);

    public required string DataDirectory { get; init; }

    /// <summary>Mosquitto's autosave after this many changes (1 as shipped in deploy/mosquitto).</summary>
    public int BrokerSaveEvery { get; init; } = 1;

    /// <summary>Windows offered per second by the live load.</summary>
    public double OfferedPerSecond => Fogs * EdgesPerFog / Window.TotalSeconds;

    /// <summary>The combinations refused, each as one line naming the options.</summary>
    public string? Problem() =>
        Fogs is < 1 or > 5000 ? $"--fogs must be between 1 and 5000; got {Fogs}"
        : EdgesPerFog is < 1 or > 1000 ? $"--edges-per-fog must be between 1 and 1000; got {EdgesPerFog}"
        : Window < TimeSpan.FromSeconds(1) || Window > TimeSpan.FromHours(1) ? $"--window must be between 1 and 3600 seconds; got {Window.TotalSeconds}"
        : Duration < TimeSpan.FromSeconds(1) || Duration > TimeSpan.FromHours(2) ? $"--duration must be between 1 and 7200 seconds; got {Duration.TotalSeconds}"
        : Replicas is < 1 or > 8 ? $"--replicas must be between 1 and 8; got {Replicas}"
        : Replicas > 1 && !Postgres ? "--replicas above 1 needs --database postgres (replicas share PostgreSQL and Mosquitto)"
        : BrokerSaveEvery is < 1 or > 1_000_000 ? $"--broker-save-every must be between 1 and 1000000; got {BrokerSaveEvery}"
        : Backlog < TimeSpan.Zero || Backlog > TimeSpan.FromDays(1) ? "--backlog must be between 0 and 1440 minutes"
        : null;
}
