using FogLens.Compression.Wire;

namespace FogLens.Compression.Codecs;

/// <summary>
/// Sparse Ternary Compression (Sattler, Wiedemann, Müller, Samek 2019): per tensor (or globally) the top p
/// of values by magnitude, each sent as ±μ where μ is the mean magnitude of the kept values: Golomb–Rice
/// coded positions, then one sign bit per kept value. Unlike SBC both signs are sent. Error feedback keeps
/// A − decoded for the next round.
/// </summary>
public sealed class StcCodec(CodecOptions options) : MagnitudeSparseCodec(options)
{
    public override CodecId Id => CodecId.Stc;

    private protected override void EncodeKept(Span<float> accumulated, ReadOnlySpan<int> positions, PayloadBuffer payload, ref TensorEntry entry)
    {
        double sum = 0;
        foreach (var i in positions)
        {
            sum += Math.Abs(accumulated[i]);
        }

        var mu = positions.IsEmpty ? 0f : (float)(sum / positions.Length);
        entry.A = mu;
        WritePositions(positions, entry.RiceParameter, payload);
        var signBytes = (positions.Length + 7) / 8;
        var signs = payload.GetSpan(signBytes);
        signs[..signBytes].Clear();
        for (var j = 0; j < positions.Length; j++)
        {
            var i = positions[j];
            if (accumulated[i] < 0)
            {
                signs[j >> 3] |= (byte)(1 << (j & 7));
                accumulated[i] += mu;
            }
            else
            {
                accumulated[i] -= mu;
            }
        }

        payload.Advance(signBytes);
    }
}
