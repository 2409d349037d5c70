using FogLens.Contracts;
using FogLens.Messaging;

namespace FogLens.FogService.Cloud;

/// <summary>
/// Which topic a queued demographics window goes out on: one that waited in the cloud outbox for
/// <c>Fog:LateAfter</c> or longer (the cloud link was down: an outage's backlog) is sent on the fog's late topic, so the
/// portal can store the windows closing now ahead of the backlog (its late sessions and the window store's second
/// lane); every other message keeps its topic.
/// </summary>
public static class LateWindows
{
    public static Func<OutboxMessage, string> Route(string fogId, TimeSpan lateAfter, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        var live = Topics.FogDemographics(fogId);
        var late = Topics.FogLateDemographics(fogId);
        return message => message.Topic == live && time.GetUtcNow() - message.Enqueued >= lateAfter ? late : message.Topic;
    }
}
