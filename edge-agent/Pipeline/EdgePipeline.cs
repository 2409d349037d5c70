using FogLens.Contracts.Messages;
using FogLens.EdgeAgent.Capture;
using FogLens.EdgeAgent.Detection;
using FogLens.EdgeAgent.Tracking;
using Microsoft.Extensions.Options;
using OpenCvSharp;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;
using FogLens.EdgeAgent.Common;

namespace FogLens.EdgeAgent.Pipeline;

/// <summary>
/// The camera loop: read a frame, hand it to a <see cref="FrameProcessor"/> (motion gate, detector,
/// tracker), and queue the best crop of each finished track. Runs on its own thread. A source that fails
/// is reopened with back-off; a finite source that ends flushes its tracks and stops the loop (the
/// agent keeps running so the outbox drains). In real-time mode frames are skipped to keep up. Each change
/// of the source's state (ok, missing, unreadable, ended, reconnecting) goes to <see cref="SourceHealth"/>.
/// </summary>
public sealed partial class EdgePipeline(
    IOptions<EdgeAgentOptions> options,
    IOptions<TrackerOptions> trackerOptions,
    IFaceDetector detector,
    CropPublisher publisher,
    EdgeMetrics metrics,
    SourceHealth health,
    TimeProvider time,
    ILogger<EdgePipeline> logger) : BackgroundService
{
    private readonly EdgeAgentOptions _options = options.Value;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Run(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            IFrameSource source;
            try
            {
                source = FrameSources.Open(_options.Source, _options.Loop, _options.FolderFps, time);
            }
            catch (FrameSourceException ex)
            {
                metrics.BadInput();
                health.Set(ex.State, ex.Message);
                LogSourceFailed(_options.Source, backoff.TotalSeconds, ex.Message);
                stoppingToken.WaitHandle.WaitOne(backoff);
                backoff = TimeSpan.FromSeconds(Math.Min(30, backoff.TotalSeconds * 2));
                continue;
            }

            using (source)
            {
                metrics.SourceDescription = source.Description;
                LogSourceOpened(source.Description, source.Fps);
                try
                {
                    if (ProcessSource(source, stoppingToken))
                    {
                        metrics.SourceEnded = true;
                        health.Set(SourceState.Ended, $"{source.Description} ended after {metrics.FramesRead} frames");
                        LogSourceEnded(source.Description, metrics.FramesRead, metrics.CropsQueued);
                        return;
                    }
                }
                catch (FrameSourceException ex)
                {
                    metrics.BadInput();
                    health.Set(ex.State, ex.Message);
                    LogSourceFailed(source.Description, backoff.TotalSeconds, ex.Message);
                }
                catch (OpenCVException ex)
                {
                    metrics.BadInput();
                    health.Set(source.IsLive ? SourceState.Reconnecting : SourceState.Unreadable, $"{source.Description}: {ex.Message}");
                    LogSourceFailed(source.Description, backoff.TotalSeconds, ex.Message);
                }
            }

            stoppingToken.WaitHandle.WaitOne(backoff);
            backoff = TimeSpan.FromSeconds(Math.Min(30, backoff.TotalSeconds * 2));
        }
    }

    /// <summary>Returns true when a finite source ended normally, false when cancelled.</summary>
    private bool ProcessSource(IFrameSource source, CancellationToken stoppingToken)
    {
        using var processor = new FrameProcessor(detector, _options, trackerOptions.Value);
        var fps = source.Fps > 0 ? source.Fps : _options.FolderFps;
        var pace = _options.RealTime && fps > 0;
        var start = time.GetTimestamp();
        long position = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            using var frame = source.Read(problem =>
            {
                metrics.BadInput();
                LogBadFrame(source.Description, problem);
            });
            if (frame is null)
            {
                Publish(processor.Flush());
                return true;
            }

            metrics.FrameRead();
            health.Set(SourceState.Ok);
            position++;
            if (pace)
            {
                // Frame n is due at n/fps after start: sleep when early, skip when more than a frame late.
                var due = TimeSpan.FromSeconds((position - 1) / fps);
                var elapsed = time.GetElapsedTime(start);
                if (elapsed < due)
                {
                    stoppingToken.WaitHandle.WaitOne(due - elapsed);
                }
                else if (elapsed - due > TimeSpan.FromSeconds(1 / fps))
                {
                    metrics.FrameSkipped();
                    continue;
                }
            }

            var outcome = processor.Process(frame.Image, frame.CapturedAt);
            if (outcome.Gated)
            {
                metrics.FrameGated();
            }
            else
            {
                metrics.FrameDetected(outcome.Faces.Count);
                metrics.ActiveTracks = processor.ActiveTracks;
            }

            Publish(outcome.Finished);
        }

        return false;
    }

    private void Publish(IReadOnlyList<FinishedTrack> finished)
    {
        foreach (var track in finished)
        {
            publisher.Publish(track);
        }
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Reading {Source} ({Fps:F1} fps)")]
    private partial void LogSourceOpened(string source, double fps);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "Source {Source} failed; retrying in {Seconds:F0} s: {Reason}")]
    private partial void LogSourceFailed(string source, double seconds, string reason);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "Bad input from {Source}: {Problem}")]
    private partial void LogBadFrame(string source, string problem);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Information, Message = "Source {Source} ended after {Frames} frames; {Crops} crops queued")]
    private partial void LogSourceEnded(string source, long frames, long crops);
}
