using System.Data.Common;
using FogLens.Messaging.Inbound;
using Microsoft.EntityFrameworkCore;

namespace FogLens.CloudPortal.Broker;

/// <summary>
/// The portal's <see cref="InboundDispatcher"/>: a database that cannot take a message now (outage, timeout,
/// a constraint race) makes it <see cref="IngestOutcome.Retry"/>, so the fog's outbox (or the broker's
/// persistent session) delivers it again and nothing is lost.
/// </summary>
public sealed class PortalInboundDispatcher(IServiceProvider services, ILogger<InboundDispatcher> logger) : InboundDispatcher(services, logger)
{
    protected override bool IsTransient(Exception exception) =>
        exception is DbException or DbUpdateException or InvalidOperationException or TimeoutException;
}
