using FogLens.AgeModel.Training;
using FogLens.Compression;
using TorchSharp;

namespace FogLens.Federated;

/// <summary>
/// The float state of an age network (parameters and BatchNorm running statistics) as plain arrays,
/// in the network's state-dict order: what the coordinator aggregates and the codecs see.
/// </summary>
public sealed class ModelState
{
    private readonly Dictionary<string, int> _index;

    public ModelState(IReadOnlyList<TensorSpec> specs, IReadOnlyList<float[]> values)
    {
        ArgumentNullException.ThrowIfNull(specs);
        ArgumentNullException.ThrowIfNull(values);
        if (specs.Count != values.Count)
        {
            throw new ArgumentException("one value array per tensor spec is required", nameof(values));
        }

        for (var i = 0; i < specs.Count; i++)
        {
            if (values[i].LongLength != specs[i].ElementCount)
            {
                throw new ArgumentException($"tensor {specs[i]} has {values[i].Length} values", nameof(values));
            }
        }

        Specs = specs;
        Values = values;
        _index = specs.Select((s, i) => (s.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
    }

    public IReadOnlyList<TensorSpec> Specs { get; }

    public IReadOnlyList<float[]> Values { get; }

    public long ElementCount => Specs.Sum(s => s.ElementCount);

    public float[] this[string name] => Values[_index[name]];

    public static ModelState FromNetwork(torch.nn.Module network)
    {
        var snapshot = LocalTrainer.Snapshot(network);
        return new ModelState(
            [.. snapshot.Select(p => new TensorSpec(p.Key, p.Value.Shape))],
            [.. snapshot.Select(p => p.Value.Values)]);
    }

    /// <summary>Reads a weights file of the architecture in <paramref name="config"/>.</summary>
    public static ModelState Load(AgeNetConfig config, string weightsPath)
    {
        using var network = new AgeNet(config);
        network.load(weightsPath);
        return FromNetwork(network);
    }

    public ModelState Clone() => new(Specs, [.. Values.Select(v => (float[])v.Clone())]);

    /// <summary>Copies this state into <paramref name="network"/> (same architecture).</summary>
    public void CopyTo(torch.nn.Module network)
    {
        ArgumentNullException.ThrowIfNull(network);
        using var noGrad = torch.no_grad();
        var seen = 0;
        foreach (var (name, tensor) in network.state_dict())
        {
            if (tensor.dtype != torch.ScalarType.Float32)
            {
                continue;
            }

            if (!_index.TryGetValue(name, out var i))
            {
                throw new InvalidOperationException($"the network has tensor '{name}' that the state lacks");
            }

            using var source = torch.tensor(Values[i], [.. Specs[i].Shape.Select(d => (long)d)]);
            tensor.copy_(source);
            seen++;
        }

        if (seen != Specs.Count)
        {
            throw new InvalidOperationException($"the state has {Specs.Count} tensors, the network {seen}");
        }
    }

    /// <summary>Writes the TorchSharp weights file (atomically).</summary>
    public void SaveWeights(AgeNetConfig config, string path)
    {
        using var network = new AgeNet(config);
        CopyTo(network);
        SaveAtomically(network, path);
    }

    /// <summary>
    /// Writes weights, config and ONNX graph of a model version into <paramref name="folder"/>, and with
    /// <paramref name="scales"/> also the int8 graph (<see cref="ModelFiles.Int8Onnx"/>) and the scales it used: a round's
    /// version keeps its parent's calibrated activation scales, exact when only the head was fine-tuned (the convolutions
    /// and their statistics, whose outputs the scales describe, did not change).
    /// </summary>
    public void SaveModelFolder(AgeNetConfig config, string version, string folder, ActivationScales? scales = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        Directory.CreateDirectory(folder);
        using var network = new AgeNet(config);
        CopyTo(network);
        network.eval();
        SaveAtomically(network, Path.Combine(folder, ModelFiles.Weights));
        File.WriteAllText(Path.Combine(folder, ModelFiles.Config), config.ToJson());
        var onnx = Path.Combine(folder, ModelFiles.Onnx);
        AgeModel.Onnx.AgeNetOnnxExporter.Export(network, version, onnx + ".tmp");
        File.Move(onnx + ".tmp", onnx, overwrite: true);
        if (scales is not null)
        {
            File.WriteAllText(Path.Combine(folder, ModelFiles.ScalesFile), scales.ToJson());
            AgeModel.Onnx.AgeNetQdqExporter.Export(network, new AgeModel.Onnx.AgeModelVersion(version), scales, Path.Combine(folder, ModelFiles.Int8Onnx));
        }
    }

    private static void SaveAtomically(torch.nn.Module network, string path)
    {
        var tmp = path + ".tmp";
        network.save(tmp);
        File.Move(tmp, path, overwrite: true);
    }
}
