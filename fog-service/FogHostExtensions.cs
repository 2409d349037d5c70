using FogLens.Contracts;
using FogLens.Contracts.Messages;
using FogLens.Contracts.Serialization;
using FogLens.FogService.Broker;
using FogLens.FogService.Cloud;
using FogLens.FogService.Demographics;
using FogLens.FogService.Training;
using FogLens.FogService.Inference;
using FogLens.FogService.Status;
using FogLens.Messaging;
using FogLens.Messaging.Inbound;
using FogLens.ServiceDefaults;
using Microsoft.Extensions.Options;
using FogLens.FogService.Common;

namespace FogLens.FogService;

/// <summary>Service registration and endpoint mapping of the fog service.</summary>
public static class FogHostExtensions
{
    /// <summary>Section of the MQTT connection to the cloud portal's broker.</summary>
    public const string CloudSection = FogServiceKeys.CloudSection;

    /// <summary>Prefix of the environment variables read as settings.</summary>
    public const string EnvironmentPrefix = "FOGLENS_FOG_";

    public static WebApplicationBuilder AddFogServices(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddServiceDefaults("fog-service", EnvironmentPrefix);
        var services = builder.Services;
        services.AddSingleton<IValidateOptions<FogOptions>, ValidateFogOptions>();
        services.AddOptions<FogOptions>().BindConfiguration(FogOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EdgeBrokerOptions>, ValidateEdgeBrokerOptions>();
        services.AddSingleton<IValidateOptions<EdgeBrokerOptions>, EdgeBrokerOptionsValidator>(); // accounts: passwords, placeholders, open brokers
        services.AddOptions<EdgeBrokerOptions>().BindConfiguration(EdgeBrokerOptions.Section).PostConfigure(o => o.LoadEdgesFile()).ValidateOnStart();
        services.AddSingleton<IValidateOptions<FederatedOptions>, ValidateFederatedOptions>();
        services.AddOptions<FederatedOptions>().BindConfiguration(FederatedOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MqttEndpointOptions>, ValidateCloudEndpoint>();
        services.AddOptions<MqttEndpointOptions>(CloudSection)
            .Configure(cloud => cloud.MaxPacketBytes = 64 * 1024 * 1024) // the portal's default limit; model updates are ~5 MB
            .BindConfiguration(CloudSection)
            .PostConfigure<IOptions<FogOptions>>((cloud, fog) => cloud.ClientId = fog.Value.FogId)
            .ValidateOnStart();

        services.AddSingleton<FogCounters>();
        services.AddSingleton<EdgeRegistry>();
        services.AddSingleton<CropSpool>();
        services.AddSingleton<AgeModelProvider>();
        services.AddSingleton(sp => new MessageHeaderFactory(sp.GetRequiredService<IOptions<FogOptions>>().Value.FogId, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp =>
        {
            var fog = sp.GetRequiredService<IOptions<FogOptions>>().Value;
            using var lease = sp.GetRequiredService<AgeModelProvider>().Acquire();
            return new DemographicsAggregator(lease.Estimator.Groups, fog.Window, fog.WindowGrace, sp.GetRequiredService<MessageHeaderFactory>());
        });

        services.AddSingleton(sp =>
        {
            var fog = sp.GetRequiredService<IOptions<FogOptions>>().Value;
            var counters = sp.GetRequiredService<FogCounters>();
            return new WindowLedger(
                Path.Combine(fog.DataDirectory, "demographics.journal"), fog.FogId, sp.GetRequiredService<DemographicsAggregator>(),
                sp.GetRequiredKeyedService<DiskOutbox>(FogServiceKeys.Cloud), counters.WindowPublished, sp.GetRequiredService<ILogger<WindowLedger>>());
        });
        services.AddSingleton<CropIntake>();
        services.AddSingleton<EmbeddedEdgeBroker>();
        var edgeBroker = builder.Configuration.GetSection(EdgeBrokerOptions.Section);
        if (!edgeBroker.GetValue(nameof(EdgeBrokerOptions.Embedded), defaultValue: true))
        {
            services.AddHostedService<ExternalEdgeSubscriber>();
        }

        services.AddMqttLink(
            FogServiceKeys.Cloud,
            sp => sp.GetRequiredService<IOptionsMonitor<MqttEndpointOptions>>().Get(CloudSection),
            sp =>
            {
                var fog = sp.GetRequiredService<IOptions<FogOptions>>().Value;
                return new OutboxLocation(Path.Combine(fog.DataDirectory, "cloud-outbox"), fog.OutboxMaxBytes);
            },
            sp =>
            {
                var fog = sp.GetRequiredService<IOptions<FogOptions>>().Value;
                var headers = sp.GetRequiredService<MessageHeaderFactory>();
                return () => new MqttWill(Topics.FogStatus(fog.FogId), JsonMessages.Serialize(new FogStatus(headers.Next(), NodeState.Offline, "unknown", 0, 0, 0, 0, 0, 0, 0, false, 0, Site: fog.Site)), Retain: true);
            },
            sp =>
            {
                var fog = sp.GetRequiredService<IOptions<FogOptions>>().Value;
                return LateWindows.Route(fog.FogId, fog.LateAfter, sp.GetService<TimeProvider>() ?? TimeProvider.System);
            });

        services.AddSingleton<InferenceWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<EmbeddedEdgeBroker>());
        services.AddSingleton<ModelDownloader>();
        services.AddSingleton<TrainingStatus>();
        services.AddSingleton<IUpdateOutbox, CloudUpdateOutbox>();
        services.AddSingleton<FogSnapshotSource>();
        services.AddInstruments<FogInstruments>();

        // From the cloud, one way: the cloud link hands round tasks and model announcements to the dispatcher,
        // which calls the handler registered for the topic kind.
        services.AddSingleton<InboundDispatcher>();
        services.AddInboundHandler<FederatedClient>(TopicKind.RoundTask);
        services.AddInboundHandler<ModelUpdater>(TopicKind.ModelAnnouncement);
        services.AddHostedService(sp => sp.GetRequiredService<FederatedClient>());
        services.AddHostedService(sp => sp.GetRequiredService<InferenceWorker>());
        services.AddHostedService<CloudLink>();

        services.AddHealthChecks()
            .AddCheck<ModelHealthCheck>("model", tags: ["ready"])
            .AddCheck<EdgeBrokerHealthCheck>("edge-broker", tags: ["ready"]);
        return builder;
    }

    public static WebApplication MapFogEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapServiceDefaults(MayReadMonitoring);
        var monitoring = app.MapGroup(string.Empty).AddEndpointFilter(async (context, next) =>
            MayReadMonitoring(context.HttpContext) ? await next(context) : Results.Unauthorized());
        monitoring.MapGet("/api/status", (FogSnapshotSource snapshots) =>
        {
            var s = snapshots.Capture();
            return Results.Ok(new
            {
            s.ModelVersion,
            s.EdgesOnline,
            s.CropsReceived,
            s.CropsInferred,
            s.CropsRejected,
            s.Duplicates,
            s.CorruptImages,
            s.EdgeMessagesRejected,
            s.WindowsPublished,
            s.QueueDepth,
            s.OpenWindows,
            facesPerSecond = Math.Round(s.FacesPerSecond, 1),
            s.CloudOutboxDepth,
            s.Training,
            s.LocalSamples,
            });
        });
        return app;
    }

    /// <summary>/metrics and /api/status: with <c>Fog:MetricsToken</c> set, its bearer token; otherwise loopback only.</summary>
    private static bool MayReadMonitoring(HttpContext http)
    {
        var token = http.RequestServices.GetRequiredService<IOptions<FogOptions>>().Value.MetricsToken;
        return token is { Length: > 0 }
            ? SharedSecret.MatchesBearer(http.Request.Headers.Authorization.ToString(), token)
            : http.Connection.RemoteIpAddress is { } remote && System.Net.IPAddress.IsLoopback(remote);
    }
}
