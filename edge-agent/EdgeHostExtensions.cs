using FogLens.Contracts;
using FogLens.Contracts.Messages;
using FogLens.Contracts.Serialization;
using FogLens.EdgeAgent.Detection;
using FogLens.EdgeAgent.Pipeline;
using FogLens.EdgeAgent.Tracking;
using FogLens.Messaging;
using Microsoft.Extensions.Options;

namespace FogLens.EdgeAgent;

/// <summary>Service registration of the edge agent.</summary>
public static class EdgeHostExtensions
{
    /// <summary>Section of the MQTT connection to the fog.</summary>
    public const string FogSection = "Fog";

    public static HostApplicationBuilder AddEdgeAgent(this HostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddSingleton<IValidateOptions<EdgeAgentOptions>, ValidateEdgeAgentOptions>();
        services.AddOptions<EdgeAgentOptions>().BindConfiguration(EdgeAgentOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TrackerOptions>, ValidateTrackerOptions>();
        services.AddOptions<TrackerOptions>().BindConfiguration(TrackerOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MqttEndpointOptions>, ValidateFogEndpoint>();
        services.AddOptions<MqttEndpointOptions>().BindConfiguration(FogSection)
            .PostConfigure<IOptions<EdgeAgentOptions>>((mqtt, edge) => mqtt.ClientId = edge.Value.EdgeId)
            .ValidateOnStart();

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<EdgeMetrics>();
        services.AddSingleton<Capture.SourceHealth>();
        services.AddSingleton(sp => new MessageHeaderFactory(sp.GetRequiredService<IOptions<EdgeAgentOptions>>().Value.EdgeId, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => FaceDetectors.Create(sp.GetRequiredService<IOptions<EdgeAgentOptions>>().Value, sp.GetRequiredService<ILoggerFactory>().CreateLogger("FogLens.EdgeAgent.Detection")));
        services.AddSingleton(sp =>
        {
            var edge = sp.GetRequiredService<IOptions<EdgeAgentOptions>>().Value;
            var directory = edge.OutboxDirectory ?? Path.Combine(AppContext.BaseDirectory, "data", edge.EdgeId, "outbox");
            return new DiskOutbox(directory, edge.OutboxMaxBytes, sp.GetRequiredService<ILogger<DiskOutbox>>());
        });
        services.AddSingleton(sp =>
        {
            var edge = sp.GetRequiredService<IOptions<EdgeAgentOptions>>().Value;
            var headers = sp.GetRequiredService<MessageHeaderFactory>();
            var detector = sp.GetRequiredService<IFaceDetector>();
            return new MqttSession(
                sp.GetRequiredService<IOptions<MqttEndpointOptions>>().Value,
                sp.GetRequiredService<ILogger<MqttSession>>(),
                () => new MqttWill(Topics.EdgeStatus(edge.EdgeId), JsonMessages.Serialize(new EdgeStatus(
                    headers.Next(), NodeState.Offline, edge.EffectiveCameraId, edge.Source, detector.Name, 0, 0, 0, 0, 0, 0, 0)), Retain: true),
                sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton(sp => new OutboxSender(sp.GetRequiredService<DiskOutbox>(), sp.GetRequiredService<MqttSession>(), sp.GetRequiredService<ILogger<OutboxSender>>()));
        services.AddSingleton(sp => new CropPublisher(
            sp.GetRequiredService<IOptions<EdgeAgentOptions>>().Value, sp.GetRequiredService<MessageHeaderFactory>(),
            sp.GetRequiredService<DiskOutbox>(), sp.GetRequiredService<EdgeMetrics>(), sp.GetRequiredService<IFaceDetector>().Name));
        services.AddHostedService<EdgeMessagingService>();
        services.AddHostedService<EdgePipeline>();
        services.AddHostedService<ConsoleStatusLine>();
        return builder;
    }
}
