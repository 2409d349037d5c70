namespace FogLens.CloudPortal.Broker;

/// <summary>
/// How the portal publishes to fogs (round tasks, model announcements): implemented by the transport chosen at
/// start (the embedded <see cref="CloudBroker"/> or the <see cref="ExternalCloudLink"/>). Outbound only: what fogs
/// send arrives through the <see cref="FogLens.Messaging.Inbound.InboundDispatcher"/>.
/// </summary>
public interface ICloudBus
{
    bool IsConnected { get; }

    /// <summary>Publishes with QoS 1; true when the broker took the message.</summary>
    Task<bool> PublishAsync(string topic, ReadOnlyMemory<byte> payload, bool retain, CancellationToken cancellationToken);
}
