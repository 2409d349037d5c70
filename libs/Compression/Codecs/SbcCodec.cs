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
    private readonly SparseSelection _positive;
    private readonly SparseSelection _negative;

    public SbcCodec(CodecOptions options)
        : base(options)
    {
        _positive = new SparseSelection(options, SelectionKey.Positive);
        _negative = new SparseSelection(options, SelectionKey.Negative);
    }

    public override CodecId Id => CodecId.Sbc;

    internal override void Prepare(IReadOnlyList<ReadOnlyMemory<float>> accumulated)
    {
        _positive.Prepare(accumulated);
        _negative.Prepare(accumulated);
    }

    internal override void EncodeTensor(int index, Memory<float> accumulated, PayloadBuffer payload, ref TensorEntry entry)
    {
        var positive = new PooledIntList(1024);
        var negative = new PooledIntList(1024);
        try
        {
            _positive.Select(index, accumulated, ref positive);
            _negative.Select(index, accumulated, ref negative);
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
