namespace FogLens.Compression;

/// <summary>Name and shape of one model tensor.</summary>
public sealed record TensorSpec(string Name, int[] Shape)
{
    /// <summary>Product of the dimensions (1 for a scalar).</summary>
    public long ElementCount => ElementsOf(Shape);

    public static long ElementsOf(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (var d in shape)
        {
            n *= d;
        }

        return n;
    }

    public bool Matches(TensorSpec other) =>
        other is not null && Name == other.Name && Shape.AsSpan().SequenceEqual(other.Shape);

    public override string ToString() => $"{Name}[{string.Join('x', Shape)}]";
}
