using FogLens.Contracts;
using FogLens.Contracts.Messages;
using FogLens.Contracts.Serialization;
using FogLens.EdgeAgent.Capture;
using FogLens.EdgeAgent.Detection;
using FogLens.Messaging;
using Microsoft.Extensions.Options;
using FogLens.EdgeAgent.Common;

namespace FogLens.EdgeAgent.Pipeline;

/// <summary>
/// Keeps the MQTT session to the fog up, drains the outbox through it, and publishes the retained
/// status (online with rates every interval and at once when the source's state changes; offline on shutdown
/// and as last will).
/// </summary>
public sealed partial class EdgeMessagingService(
    IOptions<EdgeAgentOptions> options,
    MqttSession session,
    OutboxSender sender,
    DiskOutbox outbox,
    EdgeMetrics metrics,
    SourceHealth source,
    MessageHeaderFactory headers,
    IFaceDetector detector,
    TimeProvider time,
    ILogger<EdgeMessagingService> logger) : BackgroundService
{
    private readonly EdgeAgentOptions _options = options.Value;

    /// <summary>The retained status payload for the current state.</summary>
    public byte[] Status(NodeState state) => JsonMessages.Serialize(new EdgeStatus(
        headers.Next(), state, _options.EffectiveCameraId, metrics.SourceDescription, detector.Name,
        Math.Round(metrics.CameraFps, 2), Math.Round(metrics.DetectionFps, 2), Math.Round(metrics.SkippedFps, 2),
        metrics.ActiveTracks, sender.Sent, outbox.Count, outbox.Dropped, source.State, source.Problem));

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        if (session.IsConnected)
        {
            await session.PublishAsync(Topics.EdgeStatus(_options.EdgeId), Status(NodeState.Offline), retain: true, cancellationToken);
        }

        await base.StopAsync(cancellationToken);
        LogStopped(sender.Sent, outbox.Count);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogStarted(_options.EdgeId, outbox.Count);
        var topic = Topics.EdgeStatus(_options.EdgeId);
        session.Connected = ct => session.PublishAsync(topic, Status(NodeState.Online), retain: true, ct);
        var run = session.RunAsync(stoppingToken);
        var drain = sender.RunAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.WhenAny(Task.Delay(_options.StatusInterval, time, stoppingToken), source.NextChangeAsync());
                stoppingToken.ThrowIfCancellationRequested();
            }
            catch (OperationCanceledException)
            {
                break;
            }

            metrics.Sample(time.GetUtcNow());
            await session.PublishAsync(topic, Status(NodeState.Online), retain: true, stoppingToken);
            LogStatus(metrics.CameraFps, metrics.DetectionFps, metrics.ActiveTracks, metrics.CropsQueued, sender.Sent, outbox.Count, session.IsConnected);
        }

        await Task.WhenAll(run, drain);
    }

    [LoggerMessage(EventId = 1202, Level = LogLevel.Information, Message = "Stopped: {Acknowledged} crops acknowledged by the fog since start, {Outbox} left in the outbox")]
    private partial void LogStopped(long acknowledged, int outbox);

    [LoggerMessage(EventId = 1200, Level = LogLevel.Information, Message = "Started edge {EdgeId}: {Outbox} crops waiting in the outbox")]
    private partial void LogStarted(string edgeId, int outbox);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "camera {CameraFps:F1} fps, detection {DetectionFps:F1} fps, tracks {Tracks}, crops {Crops}, acknowledged {Acknowledged}, outbox {Outbox}, connected {Connected}")]
    private partial void LogStatus(double cameraFps, double detectionFps, int tracks, long crops, long acknowledged, int outbox, bool connected);
}
