namespace FogLens.FogService.Training;

/// <summary>
/// Where the federated client puts an encoded update for the portal: a durable queue that the cloud link drains
/// (so an update survives a broker outage or a restart). The client knows this port, not the cloud session.
/// </summary>
public interface IUpdateOutbox
{
    /// <summary>Stores the message durably; returns once it is on disk.</summary>
    void Enqueue(string topic, ReadOnlySpan<byte> payload);
}
