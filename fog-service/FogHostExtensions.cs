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
using Microsoft.Extensions.Options;

namespace FogLens.FogService;

/// <summary>Service registration and endpoint mapping of the fog service.</summary>
public static class FogHostExtensions
{
    /// <summary>Section of the MQTT connection to the cloud portal's broker.</summary>
    public const string CloudSection = "Cloud";

    public static WebApplicationBuilder AddFogServices(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
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

        services.AddSingleton(TimeProvider.System);
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
            services.AddKeyedSingleton(ExternalEdgeSubscriber.SessionKey, (sp, _) =>
            {
                var fog = sp.GetRequiredService<IOptions<FogOptions>>().Value;
                var broker = sp.GetRequiredService<IOptions<EdgeBrokerOptions>>().Value;
                var endpoint = new MqttEndpointOptions
                {
                    Broker = broker.External!,
                    ClientId = "fog-" + fog.FogId,
                    Username = broker.FogUsername,
                    Password = broker.FogPassword,
                    MinBackoff = TimeSpan.FromMilliseconds(100),
                    MaxBackoff = TimeSpan.FromSeconds(5),
                    PersistentSession = true, // the external broker keeps queuing crops while the fog restarts
                };
                return new MqttSession(endpoint, sp.GetRequiredService<ILogger<MqttSession>>(), time: sp.GetRequiredService<TimeProvider>());
            });
            services.AddHostedService<ExternalEdgeSubscriber>();
        }

        services.AddKeyedSingleton(FogServiceKeys.Cloud, (sp, _) =>
        {
            var fog = sp.GetRequiredService<IOptions<FogOptions>>().Value;
            var headers = sp.GetRequiredService<MessageHeaderFactory>();
            return new MqttSession(
                sp.GetRequiredService<IOptionsMonitor<MqttEndpointOptions>>().Get(CloudSection),
                sp.GetRequiredService<ILogger<MqttSession>>(),
                () => new MqttWill(Topics.FogStatus(fog.FogId), JsonMessages.Serialize(new FogStatus(headers.Next(), NodeState.Offline, "unknown", 0, 0, 0, 0, 0, 0, 0, false, 0)), Retain: true),
                sp.GetRequiredService<TimeProvider>());
        });
        services.AddKeyedSingleton(FogServiceKeys.Cloud, (sp, _) =>
        {
            var fog = sp.GetRequiredService<IOptions<FogOptions>>().Value;
            return new DiskOutbox(Path.Combine(fog.DataDirectory, "cloud-outbox"), fog.OutboxMaxBytes, sp.GetRequiredService<ILogger<DiskOutbox>>());
        });
        services.AddKeyedSingleton(FogServiceKeys.Cloud, (sp, key) => new OutboxSender(
            sp.GetRequiredKeyedService<DiskOutbox>(key), sp.GetRequiredKeyedService<MqttSession>(key), sp.GetRequiredService<ILogger<OutboxSender>>()));

        services.AddSingleton<InferenceWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<EmbeddedEdgeBroker>());
        services.AddSingleton<ModelDownloader>();
        services.AddSingleton<TrainingStatus>();
        services.AddSingleton<IUpdateOutbox, CloudUpdateOutbox>();
        services.AddSingleton<FogSnapshotSource>();

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
        app.MapHealthChecks("/healthz", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
        var monitoring = app.MapGroup(string.Empty).AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var token = http.RequestServices.GetRequiredService<IOptions<FogOptions>>().Value.MetricsToken;
            var allowed = token is { Length: > 0 }
                ? SharedSecret.MatchesBearer(http.Request.Headers.Authorization.ToString(), token)
                : http.Connection.RemoteIpAddress is { } remote && System.Net.IPAddress.IsLoopback(remote);
            return allowed ? await next(context) : Results.Unauthorized();
        });
        monitoring.MapGet("/metrics", (FogSnapshotSource snapshots) => Results.Text(PrometheusMetrics.Render(snapshots.Capture()), PrometheusMetrics.ContentType));
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
}
