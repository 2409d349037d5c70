using System.Globalization;
using FogLens.Messaging;

namespace FogLens.EdgeAgent.Pipeline;

/// <summary>
/// When the agent runs in a terminal, rewrites one status line every second: camera and detection fps,
/// faces detected, live tracks, crops queued and the outbox depth. Silent when output is redirected
/// (the structured status log line covers services and files).
/// </summary>
public sealed class ConsoleStatusLine(EdgeMetrics metrics, DiskOutbox outbox, MqttSession session, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (Console.IsOutputRedirected)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            Console.Write(string.Create(CultureInfo.InvariantCulture,
                $"\r{(session.IsConnected ? "online " : "offline")} | camera {metrics.CameraFps,6:F1} fps | detect {metrics.DetectionFps,6:F1} fps | faces {metrics.Detections,7} | tracks {metrics.ActiveTracks,3} | crops {metrics.CropsQueued,6} | outbox {outbox.Count,5}   "));
        }

        Console.WriteLine();
    }
}
