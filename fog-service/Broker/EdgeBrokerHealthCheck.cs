using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace FogLens.FogService.Broker;

/// <summary>Ready when the embedded edge broker runs (or an external one is configured).</summary>
public sealed class EdgeBrokerHealthCheck(EmbeddedEdgeBroker broker, IOptions<EdgeBrokerOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(!options.Value.Embedded || broker.IsRunning
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("embedded edge broker is not running"));
}
