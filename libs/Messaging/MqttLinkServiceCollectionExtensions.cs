using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FogLens.Messaging;

/// <summary>Where a link's outbox lives and how large it may grow.</summary>
public sealed record OutboxLocation(string Directory, long MaxBytes);

/// <summary>
/// Registers the store-and-forward trio of one MQTT link: the <see cref="MqttSession"/> (with its last will), the
/// <see cref="DiskOutbox"/> and the <see cref="OutboxSender"/> that drains one into the other. The edge's link to its
/// fog and the fog's link to the cloud are built the same way.
/// </summary>
public static class MqttLinkServiceCollectionExtensions
{
    /// <param name="services">The service collection.</param>
    /// <param name="key">Service key of the three parts; null registers them without a key.</param>
    /// <param name="endpoint">The broker, credentials and client id of the session.</param>
    /// <param name="outbox">The outbox folder and its size limit.</param>
    /// <param name="will">The last will the broker publishes when the session drops, built at each connect; null: none.</param>
    /// <param name="route">Chooses each message's topic when it is sent (see <see cref="OutboxSender"/>); null: the topic it was queued with.</param>
    public static IServiceCollection AddMqttLink(
        this IServiceCollection services,
        object? key,
        Func<IServiceProvider, MqttEndpointOptions> endpoint,
        Func<IServiceProvider, OutboxLocation> outbox,
        Func<IServiceProvider, Func<MqttWill?>>? will = null,
        Func<IServiceProvider, Func<OutboxMessage, string>>? route = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(outbox);
        services.AddKeyedSingleton(key, (sp, _) => new MqttSession(
            endpoint(sp), sp.GetRequiredService<ILogger<MqttSession>>(), will?.Invoke(sp), sp.GetService<TimeProvider>()));
        services.AddKeyedSingleton(key, (sp, _) =>
        {
            var location = outbox(sp);
            return new DiskOutbox(location.Directory, location.MaxBytes, sp.GetRequiredService<ILogger<DiskOutbox>>());
        });
        services.AddKeyedSingleton(key, (sp, k) => new OutboxSender(
            sp.GetRequiredKeyedService<DiskOutbox>(k), sp.GetRequiredKeyedService<MqttSession>(k), sp.GetRequiredService<ILogger<OutboxSender>>(), route?.Invoke(sp)));
        return services;
    }
}
