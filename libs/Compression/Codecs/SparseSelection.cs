using FogLens.Compression.Selection;

namespace FogLens.Compression.Codecs;

/// <summary>Per-tensor or global top-k thresholds for one selection key, as chosen by <see cref="CodecOptions.Selection"/>.</summary>
internal sealed class SparseSelection(CodecOptions options, SelectionKey key)
{
    private SelectionThreshold _global;
    private long[]? _globalTies;

    public SelectionKey Key { get; } = key;

    public void Prepare(IReadOnlyList<ReadOnlyMemory<float>> accumulated)
    {
        _globalTies = null;
        if (options.Selection != SelectionScope.Global)
        {
            return;
        }

        long total = 0;
        foreach (var a in accumulated)
        {
            total += a.Length;
        }

        _global = TopKSelector.Threshold(accumulated, Key, options.KeptCount(total));
        _globalTies = TopKSelector.SplitTieQuota(accumulated, Key, _global);
    }

    /// <summary>Appends the selected indices of tensor <paramref name="index"/> (ascending) to <paramref name="positions"/>.</summary>
    public void Select(int index, ReadOnlyMemory<float> accumulated, ref PooledList<int> positions)
    {
        var threshold = _globalTies is null ? TopKSelector.Threshold([accumulated], Key, options.KeptCount(accumulated.Length)) : _global;
        var ties = _globalTies?[index] ?? threshold.TieQuota;
        TopKSelector.Collect(accumulated.Span, Key, threshold.Tau, ref ties, ref positions);
    }
}
