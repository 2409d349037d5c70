using FogLens.Compression.Selection;
using FogLens.Compression.Wire;

namespace FogLens.Compression.Codecs;

/// <summary>
/// A sparse codec that keeps the p largest-magnitude values of each tensor (or of the model) and sends their
/// Golomb–Rice coded positions; subclasses say how the kept values themselves are sent and what stays behind
/// for error feedback (<see cref="TopKCodec"/>: float32 values; <see cref="StcCodec"/>: ±μ ternary values).
/// </summary>
public abstract class MagnitudeSparseCodec : UpdateCodec
{
    private readonly SparseSelection _selection;

    protected MagnitudeSparseCodec(CodecOptions options)
        : base(options)
    {
        _selection = new SparseSelection(options, SelectionKey.Magnitude);
    }

    internal override bool SendsSmallTensorsDensely => true;

    internal override void Prepare(IReadOnlyList<ReadOnlyMemory<float>> accumulated) => _selection.Prepare(accumulated);

    internal override void EncodeTensor(int index, Memory<float> accumulated, PayloadBuffer payload, ref TensorEntry entry)
    {
        var kept = new PooledList<int>(1024);
        try
        {
            _selection.Select(index, accumulated, ref kept);
            var positions = kept.AsSpan();
            entry.P = (float)Options.Sparsity;
            entry.Count = positions.Length;
            entry.RiceParameter = (byte)RiceCoding.OptimalParameter((double)positions.Length / accumulated.Length);
            EncodeKept(accumulated.Span, positions, payload, ref entry);
            ReportSent(index, positions);
        }
        finally
        {
            kept.Dispose();
        }
    }

    /// <summary>Writes the kept values and their positions, and leaves in <paramref name="accumulated"/> what was not sent.</summary>
    private protected abstract void EncodeKept(Span<float> accumulated, ReadOnlySpan<int> positions, PayloadBuffer payload, ref TensorEntry entry);

    /// <summary>The Golomb–Rice coded positions (gaps) of the kept values.</summary>
    private protected static void WritePositions(ReadOnlySpan<int> positions, byte riceParameter, PayloadBuffer payload)
    {
        using var bits = new BitWriter(Math.Max(64, positions.Length * 2));
        RiceCoding.Encode(positions, riceParameter, bits);
        payload.Write(bits.Complete());
    }
}
