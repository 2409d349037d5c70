using FogLens.Messaging.Broker;

namespace FogLens.FogService.Broker;

/// <summary>
/// The MQTT broker the fog's edge agents publish to (section "EdgeBroker"): embedded (default) or an
/// external one (Mosquitto) the fog subscribes to with its own account.
/// </summary>
public sealed class EdgeBrokerOptions : EmbeddedBrokerOptions
{
    public const string Section = "EdgeBroker";

    public EdgeBrokerOptions()
    {
        Port = 1883;
        MaxPacketBytes = 1024 * 1024;
    }

    /// <summary>External broker the fog subscribes to when not embedded, e.g. mqtt://127.0.0.1:1883.</summary>
    public Uri? External { get; set; }

    /// <summary>User name and password of the fog's subscriber session on an external broker (required there).</summary>
    public string FogUsername { get; set; } = "fog";

    public string? FogPassword { get; set; }

    /// <summary>
    /// Sessions the fog reads crops with from an external broker, through the MQTT v5 shared subscription
    /// <c>$share/fog-{FogId}/foglens/v1/edge/+/faces</c>: each session handles its messages one at a time, so several
    /// let the crop spool store several crops with one flush (1: one session, plain subscriptions).
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(1, 64)]
    public int IntakeSessions { get; set; } = 8;

    /// <summary>Edge credentials: edge id → password.</summary>
    public Dictionary<string, string> Edges { get; set; } = [];

    /// <summary>File of more edge credentials, one "edge-id password" per line (see <see cref="CredentialsFile"/>).</summary>
    public string? EdgesFile { get; set; }

    /// <summary>Merges <see cref="EdgesFile"/> into <see cref="Edges"/> (a post-configure step).</summary>
    internal void LoadEdgesFile() => LoadCredentialsFile(EdgesFile, Edges, FogLens.Contracts.NodeId.IsValid);

    /// <summary>
    /// Let any edge id connect without a password when <see cref="Edges"/> is empty (development only; the
    /// fog refuses to start with an open embedded broker unless this is set).
    /// </summary>
    public bool AllowAnonymousEdges { get; set; }
}
