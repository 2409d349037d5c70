using FogLens.Contracts;
using FogLens.Messaging.Inbound;

namespace FogLens.CloudPortal.Rounds;

/// <summary>Hands a fog's model update (topic <c>fl/round/{n}/update/{fog}</c>) to the round coordinator.</summary>
public sealed class RoundUpdateIngest(FederatedCoordinator coordinator) : IInboundHandler
{
    public Task<IngestOutcome> HandleAsync(string topicName, TopicInfo topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) =>
        coordinator.HandleUpdateAsync(topicName, payload, cancellationToken);
}
