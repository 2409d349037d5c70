namespace FogLens.EdgeAgent.Capture;

/// <summary>A source that cannot be opened or stopped delivering.</summary>
public sealed class FrameSourceException : Exception
{
    public FrameSourceException(string message)
        : base(message)
    {
    }

    public FrameSourceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public FrameSourceException()
    {
    }
}
