using Microsoft.Extensions.Logging;

namespace FogLens.Messaging;

/// <summary>
/// Drains a <see cref="DiskOutbox"/> through a <see cref="MqttSession"/> in order: a message is removed
/// only after the broker acknowledged it, so a broker outage or a restart loses nothing, and QoS 1
/// redelivery is deduplicated downstream by message id. A message the broker refuses for good is
/// dropped and counted, so it cannot block the queue. <paramref name="route"/>, when given, chooses the topic a message
/// is published on at send time (the fog sends windows that waited out an outage on their late topic).
/// </summary>
public sealed partial class OutboxSender(DiskOutbox outbox, MqttSession session, ILogger logger, Func<OutboxMessage, string>? route = null)
{
    public long Sent { get; private set; }

    public long Rejected { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await outbox.WaitAsync(TimeSpan.FromSeconds(1), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            while (!cancellationToken.IsCancellationRequested && session.IsConnected && outbox.Peek() is { } message)
            {
                PublishOutcome outcome;
                try
                {
                    outcome = await session.PublishAsync(route?.Invoke(message) ?? message.Topic, message.Payload, message.Retain, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                if (outcome == PublishOutcome.Acknowledged)
                {
                    outbox.Remove(message.Sequence);
                    Sent++;
                }
                else if (outcome == PublishOutcome.Rejected)
                {
                    outbox.Remove(message.Sequence);
                    Rejected++;
                    LogDroppedRejected(message.Sequence, message.Topic);
                }
                else
                {
                    break; // wait for the session to reconnect
                }
            }
        }
    }

    [LoggerMessage(EventId = 2201, Level = LogLevel.Error, Message = "Outbox message {Sequence} on {Topic} was rejected by the broker and dropped")]
    private partial void LogDroppedRejected(long sequence, string topic);
}
