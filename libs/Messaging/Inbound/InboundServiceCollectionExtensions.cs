using FogLens.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FogLens.Messaging.Inbound;

public static class InboundServiceCollectionExtensions
{
    /// <summary>Registers <typeparamref name="THandler"/> (one singleton, whatever the number of kinds it consumes) as the consumer of <paramref name="kind"/> messages.</summary>
    public static IServiceCollection AddInboundHandler<THandler>(this IServiceCollection services, TopicKind kind)
        where THandler : class, IInboundHandler
    {
        services.TryAddSingleton<THandler>();
        services.AddKeyedSingleton<IInboundHandler>(kind, (sp, _) => sp.GetRequiredService<THandler>());
        return services;
    }
}
