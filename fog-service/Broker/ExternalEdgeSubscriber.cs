using FogLens.Contracts;
using FogLens.Messaging;
using FogLens.FogService.Common;
using Microsoft.Extensions.Options;

namespace FogLens.FogService.Broker;

/// <summary>
/// When the edge broker is external (Mosquitto), the fog reads its edges' messages as a subscriber with its
/// own credentials (EdgeBroker:FogUsername / FogPassword, required in that mode; the broker's ACL lets only
/// that account read edge topics) and hands them to <see cref="CropIntake"/>. Persistent sessions: the broker keeps
/// queuing crops while the fog restarts. With <see cref="EdgeBrokerOptions.IntakeSessions"/> above 1, crops arrive
/// through a shared subscription spread over that many sessions (client ids <c>fog-{FogId}</c>, <c>…-s1</c>, …), so
/// several are stored at once (one spool flush for all of them); edge status, which is retained and so not delivered
/// to shared subscriptions, stays a plain subscription of the first session. With the embedded broker there is no
/// such session: crops are consumed inside the broker process.
/// </summary>
public sealed class ExternalEdgeSubscriber : BackgroundService
{
    private readonly List<MqttSession> _sessions = [];
    private readonly CropIntake _intake;

    public ExternalEdgeSubscriber(IOptions<EdgeBrokerOptions> options, IOptions<FogOptions> fog, CropIntake intake, ILogger<MqttSession> logger, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(fog);
        _intake = intake;
        var broker = options.Value;
        var count = broker.IntakeSessions;
        for (var i = 0; i < count; i++)
        {
            var session = new MqttSession(
                new MqttEndpointOptions
                {
                    Broker = broker.External!,
                    ClientId = i == 0 ? "fog-" + fog.Value.FogId : $"fog-{fog.Value.FogId}-s{i}",
                    Username = broker.FogUsername,
                    Password = broker.FogPassword,
                    MinBackoff = TimeSpan.FromMilliseconds(100),
                    MaxBackoff = TimeSpan.FromSeconds(5),
                    PersistentSession = true,
                },
                logger,
                time: time);
            session.Subscribe(count == 1 ? Topics.AllEdgeFaces : SharedFaces(fog.Value.FogId));
            if (i == 0)
            {
                session.Subscribe(Topics.AllEdgeStatus);
            }

            _sessions.Add(session);
        }
    }

    /// <summary>The crops' shared subscription: one group per fog, so two fogs on one broker each get every crop.</summary>
    public static string SharedFaces(string fogId) => $"$share/fog-{fogId}/{Topics.AllEdgeFaces}";

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var session in _sessions)
        {
            session.OnMessage(async (topic, payload) => await _intake.HandleAsync(topic, System.Buffers.BuffersExtensions.ToArray(payload), stoppingToken));
        }

        return Task.WhenAll(_sessions.Select(s => s.RunAsync(stoppingToken)));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        foreach (var session in _sessions)
        {
            await session.DisposeAsync();
        }
    }
}
