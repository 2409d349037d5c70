using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography.X509Certificates;

namespace FogLens.Messaging.Broker;

/// <summary>
/// Listener settings shared by the embedded brokers (the fog's "EdgeBroker" and the portal's "Broker"
/// sections): where they listen and the limits their transport applies before authentication.
/// </summary>
public abstract class EmbeddedBrokerOptions
{
    /// <summary>Run an MQTTnet broker inside the service (false: an external broker is used).</summary>
    public bool Embedded { get; set; } = true;

    /// <summary>Embedded broker port (loopback unless <see cref="BindAll"/>).</summary>
    [Range(1, 65535)]
    public int Port { get; set; }

    /// <summary>Listen on all interfaces instead of 127.0.0.1 (for clients on other machines).</summary>
    public bool BindAll { get; set; }

    /// <summary>Largest MQTT packet accepted from an authenticated client (checked at the framing layer).</summary>
    [Range(1024, 512 * 1024 * 1024)]
    public int MaxPacketBytes { get; set; }

    /// <summary>Largest first packet (CONNECT), which is read before the client is authenticated.</summary>
    [Range(256, 1024 * 1024)]
    public int MaxConnectPacketBytes { get; set; } = BrokerLimits.DefaultMaxConnectPacketBytes;

    /// <summary>A connection that has not sent a complete CONNECT (and finished TLS) within this time is closed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:00:10")]
    public TimeSpan ConnectTimeout { get; set; } = BrokerLimits.DefaultConnectTimeout;

    /// <summary>Open connections allowed from one IP address; further ones are closed at accept.</summary>
    [Range(1, 100_000)]
    public int MaxConnectionsPerAddress { get; set; } = BrokerLimits.DefaultMaxConnectionsPerAddress;

    /// <summary>PEM certificate (with its key in <see cref="TlsKeyPath"/>) or PKCS#12 file: the listener speaks TLS (mqtts) when set.</summary>
    public string? TlsCertificatePath { get; set; }

    /// <summary>PEM private key of <see cref="TlsCertificatePath"/> (not needed for PKCS#12).</summary>
    public string? TlsKeyPath { get; set; }

    /// <summary>Problems found reading a node credentials file at start (reported by the validator).</summary>
    public IReadOnlyList<string> CredentialsFileProblems => _credentialsFileProblems;

    private readonly List<string> _credentialsFileProblems = [];

    /// <summary>Merges a credentials file into <paramref name="nodes"/> (a post-configure step); problems are kept for the validator.</summary>
    protected void LoadCredentialsFile(string? path, Dictionary<string, string> nodes, Func<string, bool> isValidId)
    {
        if (!string.IsNullOrEmpty(path))
        {
            _credentialsFileProblems.AddRange(CredentialsFile.Read(path, nodes, isValidId));
        }
    }

    /// <summary>The transport limits these settings describe; loads the TLS certificate when one is configured.</summary>
    public BrokerLimits Limits() => new(MaxConnectPacketBytes, MaxPacketBytes, ConnectTimeout, MaxConnectionsPerAddress, LoadCertificate());

    private X509Certificate2? LoadCertificate()
    {
        if (string.IsNullOrEmpty(TlsCertificatePath))
        {
            return null;
        }

        if (!string.IsNullOrEmpty(TlsKeyPath))
        {
            using var pem = X509Certificate2.CreateFromPemFile(TlsCertificatePath, TlsKeyPath);
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null); // usable by SslStream on Linux
        }

        return X509CertificateLoader.LoadPkcs12FromFile(TlsCertificatePath, null);
    }
}
