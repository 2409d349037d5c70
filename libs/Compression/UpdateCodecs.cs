using FogLens.Compression.Codecs;

namespace FogLens.Compression;

/// <summary>Creates codecs by id or by their short names (sbc, dense, topk, signsgd, q8, stc).</summary>
public static class UpdateCodecs
{
    public static IReadOnlyList<string> Names { get; } = ["sbc", "dense", "topk", "signsgd", "q8", "stc"];

    public static IUpdateCodec Create(CodecId id, CodecOptions? options = null)
    {
        options ??= new CodecOptions();
        return id switch
        {
            CodecId.Dense => new DenseCodec(options),
            CodecId.TopK => new TopKCodec(options),
            CodecId.Sbc => new SbcCodec(options),
            CodecId.SignSgd => new SignSgdCodec(options),
            CodecId.Q8 => new Q8Codec(options),
            CodecId.Stc => new StcCodec(options),
            _ => throw new ArgumentOutOfRangeException(nameof(id), id, "unknown codec"),
        };
    }

    public static IUpdateCodec Create(string name, CodecOptions? options = null) => Create(Parse(name), options);

    public static CodecId Parse(string name) => name?.ToUpperInvariant() switch
    {
        "SBC" => CodecId.Sbc,
        "DENSE" => CodecId.Dense,
        "TOPK" or "TOP-K" => CodecId.TopK,
        "SIGNSGD" or "SIGN" => CodecId.SignSgd,
        "Q8" => CodecId.Q8,
        "STC" or "TERNARY" => CodecId.Stc,
        _ => throw new ArgumentException($"unknown codec '{name}'; use one of {string.Join(", ", Names)}", nameof(name)),
    };

    public static string NameOf(CodecId id) => id switch
    {
        CodecId.Dense => "dense",
        CodecId.TopK => "topk",
        CodecId.Sbc => "sbc",
        CodecId.SignSgd => "signsgd",
        CodecId.Q8 => "q8",
        CodecId.Stc => "stc",
        _ => id.ToString(),
    };
}
