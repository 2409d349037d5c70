using FogLens.Compression.Selection;

namespace FogLens.Compression.Codecs;

/// <summary>Per-tensor or global top-k thresholds for one selection key, as chosen by <see cref="CodecOptions.Selection"/>.</summary>
internal sealed class SparseSelection(CodecOptions options, SelectionKey key)
{
    private SelectionThreshold[]? _global;
    private long[]? _globalTieQuota;

    public SelectionKey Key { get; } = key;

    /// <summary>k for n elements: ⌈p·n⌉, at least 1.</summary>
    public long KeptCount(long n) => Math.Max(1, (long)Math.Ceiling(options.Sparsity * n));

    public void Prepare(IReadOnlyList<ReadOnlyMemory<float>> accumulated)
    {
        if (options.Selection != SelectionScope.Global)
        {
            _global = null;
            return;
        }

        long total = 0;
        foreach (var a in accumulated)
        {
            total += a.Length;
        }

        var threshold = TopKSelector.Threshold(accumulated, Key, KeptCount(total));
        _global = new SelectionThreshold[accumulated.Count];
        _globalTieQuota = new long[accumulated.Count];
        var ties = threshold.TieQuota;
        for (var t = 0; t < accumulated.Count; t++)
        {
            _global[t] = threshold;
            var here = Math.Min(ties, TopKSelector.CountEqual(accumulated[t].Span, Key, threshold.Tau));
            _globalTieQuota[t] = here;
            ties -= here;
        }
    }

    /// <summary>Appends the selected indices of tensor <paramref name="index"/> (ascending) to <paramref name="positions"/>.</summary>
    public void Select(int index, ReadOnlyMemory<float> accumulated, ref PooledList<int> positions)
    {
        SelectionThreshold threshold;
        long ties;
        if (_global is not null)
        {
            threshold = _global[index];
            ties = _globalTieQuota![index];
        }
        else
        {
            threshold = TopKSelector.Threshold([accumulated], Key, KeptCount(accumulated.Length));
            ties = threshold.TieQuota;
        }

        TopKSelector.Collect(accumulated.Span, Key, threshold.Tau, ref ties, ref positions);
    }
}
