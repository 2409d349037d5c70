using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace FogLens.ServiceDefaults;

/// <summary>Registers a class that creates observable instruments, and creates it when the host starts, so its meters
/// are on the Prometheus endpoint from the first scrape rather than from first use.</summary>
public static class InstrumentsRegistration
{
    public static IServiceCollection AddInstruments<TInstruments>(this IServiceCollection services)
        where TInstruments : class
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<TInstruments>();
        services.AddHostedService<InstrumentsStarter<TInstruments>>();
        return services;
    }

    private sealed class InstrumentsStarter<TInstruments>(TInstruments instruments) : IHostedService
        where TInstruments : class
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            GC.KeepAlive(instruments);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
