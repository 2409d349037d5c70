namespace FogLens.Compression;

/// <summary>One tensor of a model update ΔW (values in row-major order).</summary>
public sealed record UpdateTensor(TensorSpec Spec, ReadOnlyMemory<float> Values)
{
    public UpdateTensor(string name, int[] shape, ReadOnlyMemory<float> values)
        : this(new TensorSpec(name, shape), values)
    {
    }

    public string Name => Spec.Name;
}
