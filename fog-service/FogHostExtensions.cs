namespace FogLens.FogService;

/// <summary>Service registration and endpoint mapping of the fog service.</summary>
public static class FogHostExtensions
{
    public static WebApplicationBuilder AddFogServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks();
        return builder;
    }

    public static WebApplication MapFogEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/healthz");
        app.MapHealthChecks("/readyz");
        return app;
    }
}
