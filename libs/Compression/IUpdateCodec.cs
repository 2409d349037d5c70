namespace FogLens.Compression;

/// <summary>
/// Encodes a model update ΔW into the FogLens update wire format. Decoding needs no codec instance:
/// <see cref="UpdateDecoder"/> reads any codec's payload.
/// </summary>
public interface IUpdateCodec
{
    CodecId Id { get; }

    CodecOptions Options { get; }

    /// <summary>
    /// Encodes <paramref name="update"/>. With error feedback on and a <paramref name="state"/>, the
    /// state's residual is added first and replaced by what this encoding leaves unsent. Throws
    /// <see cref="NonFiniteUpdateException"/> on NaN/Inf (the state is then unchanged).
    /// </summary>
    byte[] Encode(IReadOnlyList<UpdateTensor> update, CodecState? state);
}
