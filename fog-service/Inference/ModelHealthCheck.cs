using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace FogLens.FogService.Inference;

/// <summary>Ready when the age model is loaded (resolving the provider loads it; a load failure reports unhealthy).</summary>
public sealed class ModelHealthCheck(IServiceProvider services) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var provider = services.GetRequiredService<AgeModelProvider>();
            return Task.FromResult(HealthCheckResult.Healthy($"age model {provider.ModelVersion}"));
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException or InvalidDataException)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("age model not loaded: " + ex.Message));
        }
    }
}
