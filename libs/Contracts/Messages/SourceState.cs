namespace FogLens.Contracts.Messages;

/// <summary>What an edge's camera source is doing, reported in its status so operators see a failing feed.</summary>
public enum SourceState
{
    /// <summary>Frames are arriving.</summary>
    Ok,

    /// <summary>The file or folder does not exist (the edge retries with back-off).</summary>
    Missing,

    /// <summary>The source exists but holds no decodable video or images (corrupt file, not a video).</summary>
    Unreadable,

    /// <summary>A finite source (a video file without --loop) played to its end; the edge stays up to drain its outbox.</summary>
    Ended,

    /// <summary>A live source (camera, stream) stopped delivering or cannot be reached; the edge keeps reopening it.</summary>
    Reconnecting,
}
