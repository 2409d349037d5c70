namespace FogLens.Compression;

/// <summary>Settings shared by the codecs; each codec uses the ones that apply to it.</summary>
public sealed record CodecOptions
{
    /// <summary>Fraction p of values kept by sparse codecs (per sign for SBC), in (0, 1].</summary>
    public double Sparsity { get; init; } = 0.01;

    /// <summary>Per-tensor or global top-k.</summary>
    public SelectionScope Selection { get; init; } = SelectionScope.PerTensor;

    /// <summary>
    /// Error feedback: keep what was not sent in a residual and add it to the next update
    /// (on by default; SBC without it loses most of the signal).
    /// </summary>
    public bool ErrorFeedback { get; init; } = true;

    /// <summary>Values kept out of <paramref name="n"/> by sparse codecs: ⌈p·n⌉, at least 1.</summary>
    public long KeptCount(long n) => Math.Max(1, (long)Math.Ceiling(Sparsity * n));

    public void Validate()
    {
        if (!(Sparsity > 0 && Sparsity <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Sparsity), Sparsity, "sparsity must be in (0, 1]");
        }
    }
}
