namespace FogLens.CloudPortal;

/// <summary>Service registration and endpoint mapping of the cloud portal.</summary>
public static class PortalHostExtensions
{
    public static WebApplicationBuilder AddPortalServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks();
        return builder;
    }

    public static WebApplication MapPortalEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/healthz");
        app.MapGet("/", () => Results.Text(
            "FogLens cloud portal: this build serves health endpoints only; ingest, dashboards and the "
            + "federated coordinator are not implemented yet (see README, 'Status').", "text/plain"));
        return app;
    }
}
