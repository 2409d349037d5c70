using FogLens.Contracts.Messages;

namespace FogLens.EdgeAgent.Capture;

/// <summary>A source that cannot be opened or stopped delivering; <see cref="State"/> says how it is reported.</summary>
public sealed class FrameSourceException : Exception
{
    public FrameSourceException(string message, SourceState state)
        : base(message)
    {
        State = state;
    }

    public FrameSourceException(string message)
        : this(message, SourceState.Unreadable)
    {
    }

    public FrameSourceException(string message, Exception innerException)
        : base(message, innerException)
    {
        State = SourceState.Unreadable;
    }

    public FrameSourceException()
    {
        State = SourceState.Unreadable;
    }

    /// <summary>Missing (no such file or folder), Unreadable (no decodable frames) or Reconnecting (a live source failed).</summary>
    public SourceState State { get; }
}
