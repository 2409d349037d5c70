namespace FogLens.Federated;

/// <summary>A decoded update that does not fit the model or is too large to be honest.</summary>
public sealed class RejectedUpdateException : Exception
{
    public RejectedUpdateException()
    {
    }

    public RejectedUpdateException(string message)
        : base(message)
    {
    }

    public RejectedUpdateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
