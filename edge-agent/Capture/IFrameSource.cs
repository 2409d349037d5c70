namespace FogLens.EdgeAgent.Capture;

/// <summary>A camera, stream, video file or image folder.</summary>
public interface IFrameSource : IDisposable
{
    /// <summary>What the source is, for logs and status ("file:/x.mp4", "rtsp://...", "folder:/imgs").</summary>
    string Description { get; }

    /// <summary>Nominal frames per second (0 when unknown, e.g. image folders).</summary>
    double Fps { get; }

    /// <summary>True for live sources (streams, cameras) that cannot be replayed and should be reopened on failure.</summary>
    bool IsLive { get; }

    /// <summary>
    /// The next frame; null at the end of a finite source. Unreadable items (a corrupt image in a folder)
    /// are reported through <paramref name="onProblem"/> and skipped. Throws <see cref="FrameSourceException"/>
    /// when the source cannot deliver at all (stream lost, file unreadable).
    /// </summary>
    Frame? Read(Action<string> onProblem);
}
