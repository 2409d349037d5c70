using FogLens.FogService.Training;
using FogLens.Messaging;
using FogLens.FogService.Common;

namespace FogLens.FogService.Cloud;

/// <summary>The federated client's <see cref="IUpdateOutbox"/>: the cloud link's durable outbox.</summary>
public sealed class CloudUpdateOutbox([FromKeyedServices(FogServiceKeys.Cloud)] DiskOutbox outbox) : IUpdateOutbox
{
    public void Enqueue(string topic, ReadOnlySpan<byte> payload) => outbox.Enqueue(topic, payload);
}
