using FogLens.Contracts;
using FogLens.Contracts.Messages;
using FogLens.Contracts.Serialization;
using FogLens.EdgeAgent.Detection;
using FogLens.EdgeAgent.Pipeline;
using FogLens.EdgeAgent.Tracking;
using FogLens.Messaging;
using FogLens.ServiceDefaults;
using Microsoft.Extensions.Options;
using FogLens.EdgeAgent.Common;

namespace FogLens.EdgeAgent;

/// <summary>Service registration of the edge agent.</summary>
public static class EdgeHostExtensions
{
    /// <summary>Section of the MQTT connection to the fog.</summary>
    public const string FogSection = "Fog";

    /// <summary>Registers the edge agent's services and the host defaults.</summary>
    /// <param name="builder">The host builder.</param>
    /// <param name="commandLine">Settings from the command line; they override files and environment.</param>
    public static HostApplicationBuilder AddEdgeAgent(this HostApplicationBuilder builder, IEnumerable<KeyValuePair<string, string?>>? commandLine = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddServiceDefaults("edge-agent", EdgeCommandLine.EnvironmentPrefix, commandLine);
        var services = builder.Services;
        services.AddSingleton<IValidateOptions<EdgeAgentOptions>, ValidateEdgeAgentOptions>();
        services.AddOptions<EdgeAgentOptions>().BindConfiguration(EdgeAgentOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TrackerOptions>, ValidateTrackerOptions>();
        services.AddOptions<TrackerOptions>().BindConfiguration(TrackerOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MqttEndpointOptions>, ValidateFogEndpoint>();
        services.AddOptions<MqttEndpointOptions>().BindConfiguration(FogSection)
            .PostConfigure<IOptions<EdgeAgentOptions>>((mqtt, edge) => mqtt.ClientId = edge.Value.EdgeId)
            .ValidateOnStart();

        services.AddSingleton<EdgeMetrics>();
        services.AddInstruments<EdgeInstruments>();
        services.AddSingleton<Capture.SourceHealth>();
        services.AddSingleton(sp => new MessageHeaderFactory(sp.GetRequiredService<IOptions<EdgeAgentOptions>>().Value.EdgeId, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => FaceDetectors.Create(sp.GetRequiredService<IOptions<EdgeAgentOptions>>().Value, sp.GetRequiredService<ILoggerFactory>().CreateLogger("FogLens.EdgeAgent.Detection")));
        services.AddMqttLink(
            key: null,
            sp => sp.GetRequiredService<IOptions<MqttEndpointOptions>>().Value,
            sp =>
            {
                var edge = sp.GetRequiredService<IOptions<EdgeAgentOptions>>().Value;
                return new OutboxLocation(edge.OutboxDirectory ?? Path.Combine(AppContext.BaseDirectory, "data", edge.EdgeId, "outbox"), edge.OutboxMaxBytes);
            },
            sp =>
            {
                var edge = sp.GetRequiredService<IOptions<EdgeAgentOptions>>().Value;
                var headers = sp.GetRequiredService<MessageHeaderFactory>();
                var detector = sp.GetRequiredService<IFaceDetector>();
                return () => new MqttWill(Topics.EdgeStatus(edge.EdgeId), JsonMessages.Serialize(new EdgeStatus(
                    headers.Next(), NodeState.Offline, edge.EffectiveCameraId, edge.Source, detector.Name, 0, 0, 0, 0, 0, 0, 0)), Retain: true);
            });
        services.AddSingleton(sp => new CropPublisher(
            sp.GetRequiredService<IOptions<EdgeAgentOptions>>().Value, sp.GetRequiredService<MessageHeaderFactory>(),
            sp.GetRequiredService<DiskOutbox>(), sp.GetRequiredService<EdgeMetrics>(), sp.GetRequiredService<IFaceDetector>().Name));
        services.AddHostedService<EdgeMessagingService>();
        services.AddHostedService<EdgePipeline>();
        services.AddHostedService<ConsoleStatusLine>();
        return builder;
    }
}
