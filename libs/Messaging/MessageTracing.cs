using System.Diagnostics;
using FogLens.Contracts.Messages;

namespace FogLens.Messaging;

/// <summary>Continues a sender's trace in its receiver: the activity's parent is the header's <c>traceParent</c>.</summary>
public static class MessageTracing
{
    /// <summary>Starts a consumer activity whose parent is the trace that created <paramref name="header"/> (a new trace
    /// when the header carries none); null when nobody listens to <paramref name="source"/>.</summary>
    public static Activity? StartConsumer(this ActivitySource source, string name, MessageHeader header)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(header);
        var activity = header.TryGetTraceContext(out var parent)
            ? source.StartActivity(name, ActivityKind.Consumer, parent)
            : source.StartActivity(name, ActivityKind.Consumer);
        activity?.SetTag("messaging.message.id", header.MessageId);
        activity?.SetTag("foglens.sender", header.SenderId);
        return activity;
    }
}
