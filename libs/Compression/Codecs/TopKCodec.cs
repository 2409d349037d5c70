using System.Buffers.Binary;
using FogLens.Compression.Wire;

namespace FogLens.Compression.Codecs;

/// <summary>
/// Top-k sparsification: the p largest-magnitude values of each tensor (or of the model) as float32,
/// with Golomb–Rice coded positions; error feedback keeps the rest.
/// </summary>
public sealed class TopKCodec(CodecOptions options) : MagnitudeSparseCodec(options)
{
    public override CodecId Id => CodecId.TopK;

    private protected override void EncodeKept(Span<float> accumulated, ReadOnlySpan<int> positions, PayloadBuffer payload, ref TensorEntry entry)
    {
        var values = payload.GetSpan(positions.Length * 4);
        for (var j = 0; j < positions.Length; j++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(values[(4 * j)..], accumulated[positions[j]]);
            accumulated[positions[j]] = 0f;
        }

        payload.Advance(positions.Length * 4);
        WritePositions(positions, entry.RiceParameter, payload);
    }
}
