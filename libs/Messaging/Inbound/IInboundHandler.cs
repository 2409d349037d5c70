using FogLens.Contracts;

namespace FogLens.Messaging.Inbound;

/// <summary>
/// Consumes one kind of inbound message (one <see cref="TopicKind"/>). Registered with
/// <see cref="InboundServiceCollectionExtensions.AddInboundHandler{THandler}"/>; the transports know only the
/// <see cref="InboundDispatcher"/>, never the handlers.
/// </summary>
public interface IInboundHandler
{
    /// <summary>Handles a message whose topic parsed as <paramref name="topic"/>; never throws for bad input.</summary>
    Task<IngestOutcome> HandleAsync(string topicName, TopicInfo topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken);
}
