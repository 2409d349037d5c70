using FogLens.Compression.Selection;
using FogLens.Compression.Wire;

namespace FogLens.Compression.Codecs;

/// <summary>
/// Sparse Ternary Compression (Sattler, Wiedemann, Müller, Samek 2019): per tensor (or globally) the top p
/// of values by magnitude, each sent as ±μ where μ is the mean magnitude of the kept values: Golomb–Rice
/// coded positions, then one sign bit per kept value. Unlike SBC both signs are sent. Error feedback keeps
/// A − decoded for the next round.
/// </summary>
public sealed class StcCodec : UpdateCodec
{
    private readonly SparseSelection _selection;

    public StcCodec(CodecOptions options)
        : base(options)
    {
        _selection = new SparseSelection(options, SelectionKey.Magnitude);
    }

    public override CodecId Id => CodecId.Stc;

    internal override bool SendsSmallTensorsDensely => true;

    internal override void Prepare(IReadOnlyList<ReadOnlyMemory<float>> accumulated) => _selection.Prepare(accumulated);

    internal override void EncodeTensor(int index, Memory<float> accumulated, PayloadBuffer payload, ref TensorEntry entry)
    {
        var kept = new PooledList<int>(1024);
        try
        {
            _selection.Select(index, accumulated, ref kept);
            var a = accumulated.Span;
            var positions = kept.AsSpan();
            double sum = 0;
            foreach (var i in positions)
            {
                sum += Math.Abs(a[i]);
            }

            var mu = positions.IsEmpty ? 0f : (float)(sum / positions.Length);
            entry.P = (float)Options.Sparsity;
            entry.A = mu;
            entry.Count = positions.Length;
            entry.RiceParameter = (byte)RiceCoding.OptimalParameter((double)positions.Length / a.Length);
            using (var bits = new BitWriter(Math.Max(64, positions.Length * 2)))
            {
                RiceCoding.Encode(positions, entry.RiceParameter, bits);
                payload.Write(bits.Complete());
            }

            var signs = payload.GetSpan((positions.Length + 7) / 8);
            signs[..((positions.Length + 7) / 8)].Clear();
            for (var j = 0; j < positions.Length; j++)
            {
                var i = positions[j];
                if (a[i] < 0)
                {
                    signs[j >> 3] |= (byte)(1 << (j & 7));
                    a[i] += mu;
                }
                else
                {
                    a[i] -= mu;
                }
            }

            payload.Advance((positions.Length + 7) / 8);
            ReportSent(index, positions);
        }
        finally
        {
            kept.Dispose();
        }
    }
}
