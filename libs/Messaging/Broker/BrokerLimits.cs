using System.Security.Cryptography.X509Certificates;

namespace FogLens.Messaging.Broker;

/// <summary>
/// Limits an embedded broker applies at the transport, before and independent of authentication.
/// </summary>
/// <param name="MaxConnectPacketBytes">Largest first packet (CONNECT, read before the client is authenticated).</param>
/// <param name="MaxPacketBytes">Largest packet of an authenticated client.</param>
/// <param name="ConnectTimeout">A connection that has not sent a complete CONNECT by then is closed.</param>
/// <param name="MaxConnectionsPerAddress">Open connections allowed from one remote IP address; more are closed at accept.</param>
/// <param name="Certificate">Server certificate: the listener speaks TLS (mqtts) when set.</param>
public sealed record BrokerLimits(
    int MaxConnectPacketBytes,
    int MaxPacketBytes,
    TimeSpan ConnectTimeout,
    int MaxConnectionsPerAddress,
    X509Certificate2? Certificate = null)
{
    public const int DefaultMaxConnectPacketBytes = 64 * 1024;

    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(5);

    public const int DefaultMaxConnectionsPerAddress = 64;
}
