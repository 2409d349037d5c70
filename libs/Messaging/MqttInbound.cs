using System.Buffers;
using MQTTnet;
using Microsoft.Extensions.Logging;

namespace FogLens.Messaging;

/// <summary>
/// The receive side of an <see cref="MqttSession"/>: calls the registered handlers for each message, one message at a
/// time or up to <see cref="MqttEndpointOptions.MaxConcurrentMessages"/> at once, each acknowledged after its handlers
/// finish, so a message not yet handled is redelivered after a crash.
/// </summary>
/// <param name="maxConcurrentMessages">Messages handled at once (1: one by one, on the client's receive loop).</param>
/// <param name="connection">The number of the session's current connection: a message is acknowledged only on the
/// connection it arrived on. An acknowledgement sent on a later connection would carry a packet identifier the broker
/// may by then have given to another message, acknowledging that one before it is stored; the broker delivers the
/// unacknowledged message again on the new connection instead, where it is told apart as a duplicate.</param>
/// <param name="logger">Logger.</param>
internal sealed partial class MqttInbound(int maxConcurrentMessages, Func<long> connection, ILogger logger)
{
    private readonly List<Func<string, ReadOnlySequence<byte>, Task>> _handlers = [];
    private readonly SemaphoreSlim? _concurrency = maxConcurrentMessages > 1 ? new SemaphoreSlim(maxConcurrentMessages) : null;
    private int _inFlight;

    /// <summary>Messages received and not yet acknowledged (being handled, or their acknowledgement being sent).</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    public void Add(Func<string, ReadOnlySequence<byte>, Task> handler)
    {
        lock (_handlers)
        {
            _handlers.Add(handler);
        }
    }

    public async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        e.AutoAcknowledge = false; // acknowledged after the handlers, so InFlight counts a message until its acknowledgement is sent
        Interlocked.Increment(ref _inFlight);
        var arrivedOn = connection(); // read on arrival: a reconnect while this message waits for a slot must not move its acknowledgement
        if (_concurrency is null)
        {
            await HandleThenAcknowledgeAsync(e, e.ApplicationMessage.Topic, e.ApplicationMessage.Payload, arrivedOn);
            return;
        }

        // All busy: the client's receive loop waits here (back-pressure; the broker's in-flight limit holds the rest).
        await _concurrency.WaitAsync();
        var topic = e.ApplicationMessage.Topic;
        var payload = new ReadOnlySequence<byte>(e.ApplicationMessage.Payload.ToArray()); // the client reuses its buffer
        _ = HandleThenAcknowledgeAsync(e, topic, payload, arrivedOn);
    }

    private async Task HandleThenAcknowledgeAsync(MqttApplicationMessageReceivedEventArgs e, string topic, ReadOnlySequence<byte> payload, long arrivedOn)
    {
        try
        {
            await RunHandlersAsync(topic, payload);
            if (connection() == arrivedOn)
            {
                await e.AcknowledgeAsync(CancellationToken.None);
            }
            else
            {
                LogAckLost(topic, "the session reconnected since it arrived");
            }
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or InvalidOperationException or ObjectDisposedException or OperationCanceledException)
        {
            LogAckLost(topic, ex.Message); // the connection dropped meanwhile: the broker delivers it again
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            _concurrency?.Release();
        }
    }

    private async Task RunHandlersAsync(string topic, ReadOnlySequence<byte> payload)
    {
        Func<string, ReadOnlySequence<byte>, Task>[] handlers;
        lock (_handlers)
        {
            handlers = [.. _handlers];
        }

        foreach (var handler in handlers)
        {
            try
            {
                await handler(topic, payload);
            }
            catch (Exception ex)
            {
                LogHandlerFailed(topic, ex);
            }
        }
    }

    [LoggerMessage(EventId = 2105, Level = LogLevel.Error, Message = "Handler for a message on {Topic} failed")]
    private partial void LogHandlerFailed(string topic, Exception exception);

    [LoggerMessage(EventId = 2107, Level = LogLevel.Debug, Message = "Could not acknowledge a message on {Topic} ({Reason}); the broker delivers it again")]
    private partial void LogAckLost(string topic, string reason);
}
