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

    /// <summary>
    /// Sparse codecs (SBC, top-k, STC) send tensors with at most this many elements densely as float32
    /// (biases, BatchNorm scales, shifts and statistics); 0 sends every tensor with the codec.
    /// </summary>
    public int DenseMaxElements { get; init; }

    /// <summary>
    /// Tensors whose names end with one of these are states, not increments (BatchNorm running statistics): their
    /// update is the difference between the fog's and the global value, which the next round computes afresh
    /// against the new global model. Error feedback (and momentum correction) would add that same difference
    /// again every round and send a multiple of it later, so these tensors keep no residual and no velocity.
    /// Empty: every tensor is treated as an increment (the behaviour before issue 17).
    /// </summary>
    public IReadOnlyList<string> StateTensorSuffixes { get; init; } = DefaultStateTensorSuffixes;

    /// <summary>BatchNorm running mean and variance.</summary>
    public static IReadOnlyList<string> DefaultStateTensorSuffixes { get; } = ["running_mean", "running_var"];

    /// <summary>Whether <paramref name="tensorName"/> is a state tensor (<see cref="StateTensorSuffixes"/>).</summary>
    public bool IsStateTensor(string tensorName)
    {
        ArgumentNullException.ThrowIfNull(tensorName);
        foreach (var suffix in StateTensorSuffixes)
        {
            if (tensorName.EndsWith(suffix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Momentum correction (Deep Gradient Compression, Lin et al. 2018): the client keeps a velocity
    /// u ← m·u + ΔW across rounds and error feedback accumulates u instead of ΔW; 0 turns it off.
    /// </summary>
    public double Momentum { get; init; }

    /// <summary>Momentum-factor masking (DGC): the velocity is zeroed where values were sent.</summary>
    public bool MomentumMasking { get; init; } = true;

    /// <summary>Local clipping (DGC): ΔW is scaled down to this L2 norm before it enters the residual; 0 is off.</summary>
    public double ClipNorm { get; init; }

    /// <summary>Sparsity warm-up (DGC): the first rounds keep more, from <see cref="WarmupStartSparsity"/> down to <see cref="Sparsity"/> exponentially; 0 is off.</summary>
    public int WarmupRounds { get; init; }

    /// <summary>Fraction kept in the first round of a warm-up.</summary>
    public double WarmupStartSparsity { get; init; } = 0.25;

    /// <summary>
    /// These options for the encode after <paramref name="completedRounds"/> earlier ones (a client's
    /// <see cref="CodecState.Rounds"/>): during warm-up the sparsity is p₀·(p/p₀)^(r/W), r = completed rounds.
    /// </summary>
    public CodecOptions ForRound(long completedRounds)
    {
        if (WarmupRounds <= 0 || completedRounds >= WarmupRounds || WarmupStartSparsity <= Sparsity)
        {
            return this;
        }

        var r = Math.Max(0, completedRounds);
        return this with { Sparsity = WarmupStartSparsity * Math.Pow(Sparsity / WarmupStartSparsity, (double)r / WarmupRounds) };
    }

    /// <summary>Values kept out of <paramref name="n"/> by sparse codecs: ⌈p·n⌉, at least 1.</summary>
    public long KeptCount(long n) => Math.Max(1, (long)Math.Ceiling(Sparsity * n));

    public void Validate()
    {
        if (!(Sparsity > 0 && Sparsity <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Sparsity), Sparsity, "sparsity must be in (0, 1]");
        }

        if (DenseMaxElements < 0 || !(Momentum >= 0 && Momentum < 1) || !(ClipNorm >= 0) || !double.IsFinite(ClipNorm))
        {
            throw new ArgumentOutOfRangeException(nameof(Momentum), "DenseMaxElements and ClipNorm must not be negative, Momentum must be in [0, 1)");
        }

        if (WarmupRounds is < 0 or > 10_000 || !(WarmupStartSparsity > 0 && WarmupStartSparsity <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(WarmupRounds), "WarmupRounds must be in [0, 10000] and WarmupStartSparsity in (0, 1]");
        }
    }
}
