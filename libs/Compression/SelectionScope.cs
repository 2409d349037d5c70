namespace FogLens.Compression;

/// <summary>Whether sparse codecs choose their top-k per tensor or over the whole model.</summary>
public enum SelectionScope
{
    /// <summary>k = ⌈p·n⌉ per tensor (the SBC paper's choice): every tensor sends something.</summary>
    PerTensor,

    /// <summary>One threshold over all tensors: large tensors with small updates may send nothing.</summary>
    Global,
}
