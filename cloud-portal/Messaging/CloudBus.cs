namespace FogLens.CloudPortal.Messaging;

/// <summary>
/// The <see cref="ICloudBus"/> the rest of the portal uses: forwards to the embedded broker or to the
/// external session, whichever attached itself at start.
/// </summary>
public sealed class CloudBus : ICloudBus
{
    private volatile ICloudBus? _transport;

    public bool IsConnected => _transport?.IsConnected == true;

    public void Attach(ICloudBus transport) => _transport = transport;

    public Task<bool> PublishAsync(string topic, ReadOnlyMemory<byte> payload, bool retain, CancellationToken cancellationToken) =>
        _transport is { } t ? t.PublishAsync(topic, payload, retain, cancellationToken) : Task.FromResult(false);
}
