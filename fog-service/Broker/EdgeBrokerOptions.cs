namespace FogLens.FogService.Broker;

/// <summary>
/// The MQTT broker the fog's edge agents publish to (section "EdgeBroker"): embedded (default) or an
/// external one (Mosquitto) the fog subscribes to.
/// </summary>
public sealed class EdgeBrokerOptions
{
    public const string Section = "EdgeBroker";

    /// <summary>Run an MQTTnet broker inside the fog service.</summary>
    public bool Embedded { get; set; } = true;

    /// <summary>Embedded broker port (loopback unless <see cref="BindAll"/>).</summary>
    public int Port { get; set; } = 1883;

    /// <summary>Listen on all interfaces instead of 127.0.0.1 (for edges on other machines).</summary>
    public bool BindAll { get; set; }

    /// <summary>External broker the fog subscribes to when not embedded, e.g. mqtt://127.0.0.1:1883.</summary>
    public Uri? External { get; set; }

    /// <summary>User name and password of the fog's own subscriber session.</summary>
    public string FogUsername { get; set; } = "fog";

    public string? FogPassword { get; set; }

    /// <summary>Edge credentials: edge id → password. Empty: any edge id may connect without a password (development only).</summary>
    public Dictionary<string, string> Edges { get; set; } = [];

    /// <summary>Largest MQTT packet accepted from an edge.</summary>
    public int MaxPacketBytes { get; set; } = 1024 * 1024;
}
