using FogLens.Contracts;
using Microsoft.Extensions.DependencyInjection;

namespace FogLens.Messaging.Inbound;

public static class InboundServiceCollectionExtensions
{
    /// <summary>Registers <typeparamref name="THandler"/> (a singleton) as the consumer of <paramref name="kind"/> messages.</summary>
    public static IServiceCollection AddInboundHandler<THandler>(this IServiceCollection services, TopicKind kind)
        where THandler : class, IInboundHandler
    {
        services.AddSingleton<THandler>();
        services.AddKeyedSingleton<IInboundHandler>(kind, (sp, _) => sp.GetRequiredService<THandler>());
        return services;
    }
}
