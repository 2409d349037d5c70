using FogLens.Compression.Selection;
using FogLens.Compression.Wire;

namespace FogLens.Compression.Codecs;

/// <summary>
/// Sparse Binary Compression (Sattler, Wiedemann, Müller, Samek 2018). Per tensor (or globally) take
/// the top p of positive values and the top p of negative values by magnitude; keep the side whose mean
/// magnitude is larger, send that signed mean μ once and the kept positions as Golomb–Rice coded gaps.
/// The decoder sets those positions to μ. Error feedback keeps A − decoded for the next round. Together
/// with communication delay (local steps between uploads, done by the client) this is the full method.
/// </summary>
public sealed class SbcCodec : UpdateCodec
{
    private (SelectionThreshold Positive, SelectionThreshold Negative) _global;
    private long[]? _positiveTies;
    private long[]? _negativeTies;

    public SbcCodec(CodecOptions options)
        : base(options)
    {
    }

    public override CodecId Id => CodecId.Sbc;

    internal override bool SendsSmallTensorsDensely => true;

    internal override void Prepare(IReadOnlyList<ReadOnlyMemory<float>> accumulated)
    {
        _positiveTies = _negativeTies = null;
        if (Options.Selection != SelectionScope.Global)
        {
            return;
        }

        _global = TopKSelector.ThresholdBothSigns(accumulated, Options.KeptCount(accumulated.Sum(a => (long)a.Length)));
        _positiveTies = TopKSelector.SplitTieQuota(accumulated, SelectionKey.Positive, _global.Positive);
        _negativeTies = TopKSelector.SplitTieQuota(accumulated, SelectionKey.Negative, _global.Negative);
    }

    internal override void EncodeTensor(int index, Memory<float> accumulated, PayloadBuffer payload, ref TensorEntry entry)
    {
        var positive = new PooledList<int>(1024);
        var negative = new PooledList<int>(1024);
        try
        {
            var (up, down) = _positiveTies is null ? TopKSelector.ThresholdBothSigns([accumulated], Options.KeptCount(accumulated.Length)) : _global;
            var upTies = _positiveTies?[index] ?? up.TieQuota;
            var downTies = _negativeTies?[index] ?? down.TieQuota;

            TopKSelector.CollectBothSigns(accumulated.Span, up, ref upTies, ref positive, down, ref downTies, ref negative);
            var a = accumulated.Span;
            var meanPositive = Mean(a, positive.AsSpan());
            var meanNegative = -Mean(a, negative.AsSpan());
            var usePositive = meanPositive >= meanNegative;
            var kept = usePositive ? positive.AsSpan() : negative.AsSpan();
            var mu = kept.IsEmpty ? 0f : (usePositive ? meanPositive : -meanNegative);

            entry.P = (float)Options.Sparsity;
            entry.A = mu;
            entry.Count = kept.Length;
            entry.RiceParameter = (byte)RiceCoding.OptimalParameter((double)kept.Length / a.Length);
            using (var bits = new BitWriter(Math.Max(64, kept.Length * 2)))
            {
                RiceCoding.Encode(kept, entry.RiceParameter, bits);
                payload.Write(bits.Complete());
            }

            foreach (var i in kept)
            {
                a[i] -= mu;
            }
            ReportSent(index, kept);
        }
        finally
        {
            positive.Dispose();
            negative.Dispose();
        }
    }

    private static float Mean(ReadOnlySpan<float> values, ReadOnlySpan<int> positions)
    {
        if (positions.IsEmpty)
        {
            return 0f;
        }

        double sum = 0;
        foreach (var i in positions)
        {
            sum += values[i];
        }

        return (float)(sum / positions.Length);
    }
}
