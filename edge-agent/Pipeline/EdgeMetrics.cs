namespace FogLens.EdgeAgent.Pipeline;

/// <summary>Counters of the edge pipeline (thread-safe), and rates over the last sampling interval.</summary>
public sealed class EdgeMetrics
{
    private long _framesRead;
    private long _framesSkipped;
    private long _framesDetected;
    private long _framesGated;
    private long _detections;
    private long _cropsQueued;
    private long _badInputs;
    private (DateTimeOffset At, long Read, long Detected, long Skipped) _last = (DateTimeOffset.MinValue, 0, 0, 0);

    public long FramesRead => Interlocked.Read(ref _framesRead);

    public long FramesSkipped => Interlocked.Read(ref _framesSkipped);

    public long FramesDetected => Interlocked.Read(ref _framesDetected);

    /// <summary>Frames where motion gating decided not to run the detector.</summary>
    public long FramesGated => Interlocked.Read(ref _framesGated);

    public long Detections => Interlocked.Read(ref _detections);

    public long CropsQueued => Interlocked.Read(ref _cropsQueued);

    /// <summary>Unreadable images, source failures and other bad input, each reported and survived.</summary>
    public long BadInputs => Interlocked.Read(ref _badInputs);

    public int ActiveTracks { get; set; }

    public bool SourceEnded { get; set; }

    public string SourceDescription { get; set; } = string.Empty;

    public double CameraFps { get; private set; }

    public double DetectionFps { get; private set; }

    public double SkippedFps { get; private set; }

    public void FrameRead() => Interlocked.Increment(ref _framesRead);

    public void FrameSkipped() => Interlocked.Increment(ref _framesSkipped);

    public void FrameDetected(int faces)
    {
        Interlocked.Increment(ref _framesDetected);
        Interlocked.Add(ref _detections, faces);
    }

    public void FrameGated() => Interlocked.Increment(ref _framesGated);

    public void CropQueued() => Interlocked.Increment(ref _cropsQueued);

    public void BadInput() => Interlocked.Increment(ref _badInputs);

    /// <summary>Updates the rates from the counters since the previous call.</summary>
    public void Sample(DateTimeOffset now)
    {
        var read = FramesRead;
        var detected = FramesDetected;
        var skipped = FramesSkipped;
        if (_last.At != DateTimeOffset.MinValue)
        {
            var seconds = Math.Max(1e-3, (now - _last.At).TotalSeconds);
            CameraFps = (read - _last.Read) / seconds;
            DetectionFps = (detected - _last.Detected) / seconds;
            SkippedFps = (skipped - _last.Skipped) / seconds;
        }

        _last = (now, read, detected, skipped);
    }
}
