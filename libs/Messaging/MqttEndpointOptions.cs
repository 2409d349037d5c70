using System.ComponentModel.DataAnnotations;

namespace FogLens.Messaging;

/// <summary>Where and how a node connects to its MQTT broker.</summary>
public sealed class MqttEndpointOptions
{
    /// <summary>Broker address: mqtt://host:port (TCP) or mqtts://host:port (TLS).</summary>
    [Required]
    public Uri Broker { get; set; } = new("mqtt://127.0.0.1:1883");

    /// <summary>MQTT client id; FogLens uses the node id.</summary>
    [Required]
    [RegularExpression("^[a-z0-9_-]{1,64}$")]
    public string ClientId { get; set; } = "node";

    public string? Username { get; set; }

    public string? Password { get; set; }

    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>First reconnect delay; doubles up to <see cref="MaxBackoff"/> with jitter.</summary>
    public TimeSpan MinBackoff { get; set; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Keep the session on the broker while disconnected (clean start off, session expiry below), so an
    /// external broker queues QoS 1 messages for this subscriber while it restarts.
    /// </summary>
    public bool PersistentSession { get; set; }

    public TimeSpan SessionExpiry { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Received messages handled at once on this connection (1: one by one, acknowledged automatically). Above 1, each
    /// is acknowledged after its handlers finish, and the broker's in-flight limit for the client bounds the rest, so a
    /// handler that batches (the portal's window store) gets more than one message per connection.
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(1, 1024)]
    public int MaxConcurrentMessages { get; set; } = 1;

    /// <summary>
    /// Largest packet the broker accepts (its framing limit): a bigger message is refused here as
    /// <see cref="PublishOutcome.Rejected"/> instead of being sent and getting the connection cut, which
    /// would make an outbox resend it for ever.
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(1024, 512 * 1024 * 1024)]
    public int MaxPacketBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// PEM certificate of a private certificate authority (or of a self-signed broker certificate) to trust
    /// for mqtts:// in addition to the system's roots; the broker's name must still match.
    /// </summary>
    public string? CaCertificatePath { get; set; }

    /// <summary>Accept any TLS certificate (test brokers only).</summary>
    public bool AllowUntrustedCertificates { get; set; }

    public (string Host, int Port, bool Tls) Parse()
    {
        var tls = Broker.Scheme switch
        {
            "mqtt" or "tcp" => false,
            "mqtts" or "ssl" => true,
            _ => throw new InvalidOperationException($"broker URI '{Broker}' must use mqtt:// or mqtts://"),
        };
        var port = Broker.IsDefaultPort || Broker.Port <= 0 ? (tls ? 8883 : 1883) : Broker.Port;
        return (Broker.Host, port, tls);
    }
}
