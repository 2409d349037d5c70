using System.Security.Cryptography;

namespace FogLens.Launch;

/// <summary>What <see cref="Site"/> starts: the portal, fog services and their edge agents on one machine.</summary>
public sealed record SiteOptions
{
    /// <summary>Databases, outboxes, broker files and one log per tier.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>Portal port; the other tiers use ports after it (see <see cref="Site"/>). Zero: free ports from the system.</summary>
    public int BasePort { get; init; } = 5080;

    public int Fogs { get; init; } = 2;

    public int EdgesPerFog { get; init; } = 2;

    /// <summary>Mosquitto (password file + ACL) as the cloud broker and PostgreSQL as the portal database, instead of the embedded defaults.</summary>
    public bool External { get; init; }

    /// <summary>Source of edge n (1-based): a video, image folder, camera index or stream URL.</summary>
    public required Func<int, string> EdgeSource { get; init; }

    /// <summary>Replay finite sources forever (demo feeds).</summary>
    public bool LoopSources { get; init; } = true;

    /// <summary>
    /// Pace file sources at their frame rate and skip frames when detection falls behind, like a camera (the
    /// demo). Off: edges process every frame, so counts do not depend on how loaded the machine is (tests).
    /// </summary>
    public bool RealTimeSources { get; init; } = true;

    public TimeSpan FogWindow { get; init; } = TimeSpan.FromSeconds(20);

    public TimeSpan FogWindowGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Per-fog labelled face lists (one file per fog) and the dataset folder they point into; null: no federated training.</summary>
    public (IReadOnlyList<string> Lists, string Dataset)? Federated { get; init; }

    /// <summary>Portal starts a round this often when fogs are online; zero: rounds only on request.</summary>
    public TimeSpan AutoRoundInterval { get; init; }

    public int EvaluationLimit { get; init; } = 400;

    /// <summary>Fogs keep the crops they inferred (tests compare the counts with the model's predictions).</summary>
    public bool KeepFaces { get; init; }

    public string AdminUser { get; init; } = "admin";

    public string AdminPassword { get; init; } = RandomSecret();

    /// <summary>Extra configuration for the portal and for every fog, as <c>--Section:Key=value</c> arguments.</summary>
    public IReadOnlyList<string> PortalArguments { get; init; } = [];

    public IReadOnlyList<string> FogArguments { get; init; } = [];

    public IReadOnlyList<string> EdgeArguments { get; init; } = [];

    /// <summary>
    /// Every MQTT hop over TLS (edge → fog, fog → portal) with a private CA generated for the site: the embedded
    /// brokers, or Mosquitto with <see cref="External"/>, serve the site's certificate and every client trusts the CA.
    /// </summary>
    public bool Tls { get; init; }

    public static string RandomSecret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
}
