namespace FogLens.Compression;

/// <summary>The encoder was given NaN or infinite values; nothing was encoded and the residual is unchanged.</summary>
public sealed class NonFiniteUpdateException : ArgumentException
{
    public NonFiniteUpdateException(string tensorName, long index, float value)
        : base($"tensor '{tensorName}' has a non-finite value {value} at index {index}; refusing to encode")
    {
        TensorName = tensorName;
    }

    public NonFiniteUpdateException()
    {
        TensorName = string.Empty;
    }

    public NonFiniteUpdateException(string message)
        : base(message)
    {
        TensorName = string.Empty;
    }

    public NonFiniteUpdateException(string message, Exception innerException)
        : base(message, innerException)
    {
        TensorName = string.Empty;
    }

    public string TensorName { get; }
}
