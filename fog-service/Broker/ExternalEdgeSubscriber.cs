using FogLens.Contracts;
using FogLens.Messaging;

namespace FogLens.FogService.Broker;

/// <summary>
/// When the edge broker is external (Mosquitto), the fog reads its edges' messages as a subscriber with its
/// own credentials (EdgeBroker:FogUsername / FogPassword, required in that mode; the broker's ACL lets only
/// that account read edge topics) and hands them to <see cref="CropIntake"/>. With the embedded broker
/// there is no such session: crops are consumed inside the broker process.
/// </summary>
public sealed class ExternalEdgeSubscriber([FromKeyedServices(ExternalEdgeSubscriber.SessionKey)] MqttSession session, CropIntake intake) : BackgroundService
{
    public const string SessionKey = "edge-broker";

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        session.Subscribe(Topics.AllEdgeFaces);
        session.Subscribe(Topics.AllEdgeStatus);
        session.OnMessage(async (topic, payload) => await intake.HandleAsync(topic, System.Buffers.BuffersExtensions.ToArray(payload), stoppingToken));
        return session.RunAsync(stoppingToken);
    }
}
