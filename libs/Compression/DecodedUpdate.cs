namespace FogLens.Compression;

/// <summary>A decoded, validated update.</summary>
public sealed record DecodedUpdate(CodecId Codec, bool GlobalSelection, bool ErrorFeedback, IReadOnlyList<DecodedTensor> Tensors, long TotalElements, int PayloadBytes)
{
    /// <summary>Wire bits per model parameter.</summary>
    public double BitsPerParameter => TotalElements == 0 ? 0 : PayloadBytes * 8.0 / TotalElements;

    /// <summary>Dense float32 size divided by this payload's size.</summary>
    public double CompressionRatio => PayloadBytes == 0 ? 0 : TotalElements * 4.0 / PayloadBytes;

    /// <summary>Positions or values sent, over all tensors.</summary>
    public long SentCount => Tensors.Sum(t => t.SentCount);

    /// <summary>L2 norm of the whole decoded update.</summary>
    public double Norm() => Math.Sqrt(Tensors.Sum(t => t.SquaredNorm()));
}
