namespace FogLens.Compression;

/// <summary>Codec identifiers as written in the wire format (one byte). Never renumber.</summary>
public enum CodecId : byte
{
    /// <summary>Every value as little-endian float32 (the FedAvg baseline).</summary>
    Dense = 1,

    /// <summary>Top-k by magnitude: Golomb–Rice coded positions and float32 values.</summary>
    TopK = 2,

    /// <summary>Sparse Binary Compression: top-k of one sign, one mean per tensor, Golomb–Rice coded positions.</summary>
    Sbc = 3,

    /// <summary>Sign of every value (1 bit) and one scale per tensor (signSGD with scale).</summary>
    SignSgd = 4,

    /// <summary>8-bit uniform quantisation between the tensor's minimum and maximum.</summary>
    Q8 = 5,

    /// <summary>Sparse Ternary Compression: top-k by magnitude sent as ±μ (one mean magnitude per tensor), Rice-coded positions and one sign bit each.</summary>
    Stc = 6,
}
