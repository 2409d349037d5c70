namespace FogLens.Compression;

/// <summary>An update payload that cannot be trusted; <see cref="Reason"/> says why.</summary>
public sealed class CorruptUpdateException : Exception
{
    public CorruptUpdateException(CorruptUpdateReason reason, string message)
        : base($"{reason}: {message}")
    {
        Reason = reason;
    }

    public CorruptUpdateException()
        : this(CorruptUpdateReason.Inconsistent, "corrupt update")
    {
    }

    public CorruptUpdateException(string message)
        : this(CorruptUpdateReason.Inconsistent, message)
    {
    }

    public CorruptUpdateException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = CorruptUpdateReason.Inconsistent;
    }

    public CorruptUpdateReason Reason { get; }
}
