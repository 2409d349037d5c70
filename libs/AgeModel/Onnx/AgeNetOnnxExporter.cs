using FogLens.AgeModel.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FogLens.AgeModel.Onnx;

/// <summary>
/// Writes an <see cref="AgeNet"/> as an ONNX graph (TorchSharp has no exporter): each conv + BatchNorm
/// pair becomes one Conv with the BatchNorm folded into its weights and bias, followed by Relu and,
/// between stages, MaxPool; then GlobalAveragePool, Flatten, Gemm, Softmax. Outputs are the age
/// distribution "probabilities" [N,101] and its expected value "age" [N,1].
/// </summary>
public static class AgeNetOnnxExporter
{
    public static byte[] Export(AgeNet network, string modelVersion) => Export(network, new AgeModelVersion(modelVersion));

    public static void Export(AgeNet network, string modelVersion, string path) => Export(network, new AgeModelVersion(modelVersion), path);

    public static void Export(AgeNet network, AgeModelVersion version, string path) => WriteAtomically(path, Export(network, version));

    public static byte[] Export(AgeNet network, AgeModelVersion version)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(version);
        var b = Begin(network.Config, version, AgeModelPrecision.Fp32);

        var x = AgeNetOnnxContract.InputName;
        var i = 0;
        foreach (var (conv, norm, poolAfter) in network.Blocks())
        {
            var (weights, bias) = FoldBatchNorm(conv, norm);
            var shape = conv.weight!.shape;
            b.Initializer($"conv{i}.weight", shape, weights);
            b.Initializer($"conv{i}.bias", [shape[0]], bias);
            b.Node("Conv", [x, $"conv{i}.weight", $"conv{i}.bias"], [$"conv{i}"],
                ("kernel_shape", new long[] { 3, 3 }), ("pads", new long[] { 1, 1, 1, 1 }), ("strides", new long[] { 1, 1 }));
            b.Node("Relu", [$"conv{i}"], [$"relu{i}"]);
            x = $"relu{i}";
            if (poolAfter)
            {
                b.Node("MaxPool", [x], [$"pool{i}"], ("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { 2, 2 }));
                x = $"pool{i}";
            }

            i++;
        }

        End(b, network, x);
        return b.Build("foglens_age_net", version.Version);
    }

    /// <summary>A builder with the contract's input, outputs and metadata.</summary>
    internal static OnnxGraphBuilder Begin(AgeNetConfig config, AgeModelVersion version, AgeModelPrecision precision)
    {
        var b = new OnnxGraphBuilder();
        b.Input(AgeNetOnnxContract.InputName, "batch", 3L, (long)config.InputSize, (long)config.InputSize);
        b.Output(AgeNetOnnxContract.ProbabilitiesName, "batch", (long)LabelDistribution.Bins);
        b.Output(AgeNetOnnxContract.AgeName, "batch", 1L);
        b.Metadata(AgeNetOnnxContract.InputSizeKey, config.InputSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        b.Metadata(AgeNetOnnxContract.AgeGroupsKey, config.AgeGroups);
        b.Metadata(AgeNetOnnxContract.ModelVersionKey, version.Version);
        if (version.Parent is { } parent)
        {
            b.Metadata(AgeNetOnnxContract.ParentVersionKey, parent);
        }

        if (precision != AgeModelPrecision.Fp32)
        {
            b.Metadata(AgeNetOnnxContract.PrecisionKey, AgeNetOnnxContract.PrecisionValue(precision));
        }

        return b;
    }

    /// <summary>Float tail shared by both exporters: pooling, classifier, softmax and the expected age.</summary>
    internal static void End(OnnxGraphBuilder b, AgeNet network, string features)
    {
        b.Node("GlobalAveragePool", [features], ["gap"]);
        b.Node("Flatten", ["gap"], ["features"], ("axis", 1L));
        var head = network.Head;
        b.Initializer("head.weight", head.weight!.shape, Values(head.weight));
        b.Initializer("head.bias", head.bias!.shape, Values(head.bias));
        b.Node("Gemm", ["features", "head.weight", "head.bias"], ["logits"], ("transB", 1L));
        b.Node("Softmax", ["logits"], [AgeNetOnnxContract.ProbabilitiesName], ("axis", 1L));
        b.Initializer("ages", [LabelDistribution.Bins, 1], [.. Enumerable.Range(0, LabelDistribution.Bins).Select(a => (float)a)]);
        b.Node("MatMul", [AgeNetOnnxContract.ProbabilitiesName, "ages"], [AgeNetOnnxContract.AgeName]);
    }

    internal static void WriteAtomically(string path, byte[] bytes)
    {
        var tmp = path + ".tmp";
        File.WriteAllBytes(tmp, bytes);
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>W' = W·γ/√(σ²+ε), b' = β − μ·γ/√(σ²+ε), computed in double.</summary>
    internal static (float[] Weights, float[] Bias) FoldBatchNorm(Conv2d conv, BatchNorm2d norm)
    {
        var w = Values(conv.weight!);
        var gamma = Values(norm.weight!);
        var beta = Values(norm.bias!);
        var mean = Values(norm.running_mean!);
        var variance = Values(norm.running_var!);
        var outChannels = gamma.Length;
        var perChannel = w.Length / outChannels;
        var bias = new float[outChannels];
        for (var c = 0; c < outChannels; c++)
        {
            var scale = gamma[c] / Math.Sqrt(variance[c] + 1e-5);
            for (var k = 0; k < perChannel; k++)
            {
                w[(c * perChannel) + k] = (float)(w[(c * perChannel) + k] * scale);
            }

            bias[c] = (float)(beta[c] - (mean[c] * scale));
        }

        return (w, bias);
    }

    internal static float[] Values(Tensor t)
    {
        using var cpu = t.detach().cpu().contiguous();
        return cpu.data<float>().ToArray();
    }
}
