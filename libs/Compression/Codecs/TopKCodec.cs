using FogLens.Compression.Selection;
using FogLens.Compression.Wire;

namespace FogLens.Compression.Codecs;

/// <summary>
/// Top-k sparsification: the p largest-magnitude values of each tensor (or of the model) as float32,
/// with Golomb–Rice coded positions; error feedback keeps the rest.
/// </summary>
public sealed class TopKCodec : UpdateCodec
{
    private readonly SparseSelection _selection;

    public TopKCodec(CodecOptions options)
        : base(options)
    {
        _selection = new SparseSelection(options, SelectionKey.Magnitude);
    }

    public override CodecId Id => CodecId.TopK;

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
            var values = payload.GetSpan(positions.Length * 4);
            for (var j = 0; j < positions.Length; j++)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(values[(4 * j)..], a[positions[j]]);
                a[positions[j]] = 0f;
            }

            payload.Advance(positions.Length * 4);
            entry.P = (float)Options.Sparsity;
            entry.Count = positions.Length;
            entry.RiceParameter = (byte)RiceCoding.OptimalParameter((double)positions.Length / a.Length);
            using var bits = new BitWriter(Math.Max(64, positions.Length * 2));
            RiceCoding.Encode(positions, entry.RiceParameter, bits);
            payload.Write(bits.Complete());
            ReportSent(index, positions);
        }
        finally
        {
            kept.Dispose();
        }
    }
}
