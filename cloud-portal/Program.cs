using FogLens.CloudPortal;
using FogLens.CloudPortal.Auth;
using FogLens.ServiceDefaults;

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine("""
        FogLens cloud portal: demographics ingest, federated-learning coordinator and dashboards.

        usage: FogLens.CloudPortal [--urls http://0.0.0.0:5080] [--Section:Key value ...]
               FogLens.CloudPortal user add NAME Admin|Viewer   (password from $FOGLENS_PASSWORD or stdin)
               FogLens.CloudPortal token add NAME | token list | token remove NAME   (read-only API tokens)

        Configuration (appsettings.json, environment FOGLENS_PORTAL_Section__Key, or --Section:Key):
          Portal:DataDirectory       data folder (SQLite database, model versions, round updates)  [data/portal]
          Portal:PublicUrl           URL fogs use to download models                            [first listen address]
          Database:Provider          sqlite | postgres                                          [sqlite]
          Database:ConnectionString  e.g. Host=127.0.0.1;Database=foglens;Username=foglens;Password=...
          Broker:Embedded            run the MQTT broker in-process                             [true]
          Broker:Port, Broker:BindAll, Broker:External (mqtt://host:port), Broker:PortalUsername/PortalPassword
          Broker:Fogs:<fogId>        password of a fog (none configured: any fog may connect, development only)
          Auth:AdminUser, Auth:AdminPassword   first Admin, created when no user exists
          Federated:BaseModel, Federated:EvaluationData, Federated:Codec (sbc), Federated:Sparsity (0.01),
          Federated:LocalEpochs, Federated:Deadline, Federated:MinQuorum, Federated:Mode (sync|async),
          Federated:AutoRoundInterval, Federated:PromoteTolerance, Federated:ClipNorm, Federated:RejectNorm

        Endpoints: / (dashboards, login), /api (REST, /openapi/v1.json), /healthz, /readyz, /metrics.
        """);
    return 0;
}

// Settings files sit beside the binary; relative data paths stay relative to the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddPortalServices();
var app = builder.Build();

if (AdminCommands.Matches(args))
{
    return await AdminCommands.RunAsync(app.Services, args, Console.Out, Console.Error, Console.In);
}

app.MapPortalEndpoints();
return await app.RunServiceAsync("cloud-portal");

/// <summary>Entry point, public for the tests.</summary>
public partial class Program;
