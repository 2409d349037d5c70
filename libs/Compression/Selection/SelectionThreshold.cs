namespace FogLens.Compression.Selection;

/// <summary>
/// Selects exactly the elements with key &gt; <see cref="Tau"/>, plus the first <see cref="TieQuota"/>
/// elements (in index order) whose key equals Tau. Tau = 0 with no quota selects every eligible element;
/// Tau = +∞ selects nothing.
/// </summary>
internal readonly record struct SelectionThreshold(float Tau, long TieQuota)
{
    public static SelectionThreshold All { get; } = new(0f, 0);

    public static SelectionThreshold None { get; } = new(float.PositiveInfinity, 0);
}
