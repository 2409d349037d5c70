using FogLens.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FogLens.Messaging.Inbound;

/// <summary>
/// Routes an inbound message to the handler registered for its topic kind (resolved when the message arrives,
/// so a handler may itself depend on the outbound side of the transport without a construction cycle).
/// Messages flow one way: transport → dispatcher → handler. A handler failure that <see cref="IsTransient"/>
/// recognises becomes <see cref="IngestOutcome.Retry"/> (the sender keeps the message); others propagate.
/// </summary>
public partial class InboundDispatcher(IServiceProvider services, ILogger<InboundDispatcher> logger)
{
    public async Task<IngestOutcome> DispatchAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (!Topics.TryParse(topic, out var info) || services.GetKeyedService<IInboundHandler>(info.Kind) is not { } handler)
        {
            return IngestOutcome.Ignored;
        }

        try
        {
            return await handler.HandleAsync(topic, info, payload, cancellationToken);
        }
        catch (Exception ex) when (IsTransient(ex) && !cancellationToken.IsCancellationRequested)
        {
            LogRetry(topic, ex.GetBaseException().Message);
            return IngestOutcome.Retry;
        }
    }

    /// <summary>Failures worth a retry by the sender (a database outage, a timeout); none by default.</summary>
    protected virtual bool IsTransient(Exception exception) => false;

    [LoggerMessage(EventId = 2201, Level = LogLevel.Warning, Message = "Could not handle {Topic} now (the sender will retry): {Error}")]
    private partial void LogRetry(string topic, string error);
}
