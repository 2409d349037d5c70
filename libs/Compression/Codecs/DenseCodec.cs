using FogLens.Compression.Wire;

namespace FogLens.Compression.Codecs;

/// <summary>Every value as float32: 32 bits per parameter, the FedAvg baseline.</summary>
public sealed class DenseCodec(CodecOptions options) : UpdateCodec(options)
{
    public DenseCodec()
        : this(new CodecOptions())
    {
    }

    public override CodecId Id => CodecId.Dense;

    protected override bool IsLossy => false;

    internal override bool EncodesInParallel => false;

    protected override int EstimatePayload(IReadOnlyList<UpdateTensor> update) =>
        (int)Math.Min(Array.MaxLength, 4L * update.Sum(t => (long)t.Values.Length));

    internal override void EncodeTensor(int index, Memory<float> accumulated, PayloadBuffer payload, ref TensorEntry entry)
    {
        payload.WriteSingles(accumulated.Span);
        entry.P = 1f;
        entry.Count = accumulated.Length;
        accumulated.Span.Clear();
    }
}
