namespace FogLens.Launch;

/// <summary>What <see cref="PortalReplicas"/> starts.</summary>
public sealed record PortalReplicasOptions
{
    /// <summary>Broker files, the shared portal data directory, PostgreSQL and one log per process.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>Portal replicas; more than one needs <see cref="External"/>.</summary>
    public int Replicas { get; init; } = 1;

    /// <summary>Mosquitto (password file + ACL) and PostgreSQL; otherwise one portal on SQLite with its embedded broker.</summary>
    public bool External { get; init; }

    /// <summary>Fog ids to create broker accounts for (their passwords are in <see cref="PortalReplicas.FogPasswords"/>).</summary>
    public required IReadOnlyList<string> Fogs { get; init; }

    /// <summary>A running PostgreSQL to use (connection string of an empty database) instead of starting one.</summary>
    public string? DatabaseConnection { get; init; }

    /// <summary>Extra portal settings as <c>--Section:Key=value</c> arguments (every replica).</summary>
    public IReadOnlyList<string> PortalArguments { get; init; } = [];

    /// <summary>Mosquitto saves its persistence file after this many changes (1: after every queued message, as shipped).</summary>
    public int BrokerSaveEvery { get; init; } = 1;
}
