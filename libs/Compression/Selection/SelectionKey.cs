namespace FogLens.Compression.Selection;

/// <summary>Which values compete in a top-k, and by what key.</summary>
internal enum SelectionKey
{
    /// <summary>Positive values, by value.</summary>
    Positive,

    /// <summary>Negative values, by magnitude.</summary>
    Negative,

    /// <summary>Non-zero values, by magnitude.</summary>
    Magnitude,
}
