using FogLens.AgeModel.Training;

namespace FogLens.AgeModel.Onnx;

/// <summary>
/// Writes an <see cref="AgeNet"/> as an int8 ONNX graph in QDQ form (QuantizeLinear/DequantizeLinear pairs around
/// each convolution), which ONNX Runtime fuses into integer kernels (QLinearConv, uint8 MaxPool):
/// the input is quantised to uint8 around zero point 128, each Conv (BatchNorm folded) has symmetric per-channel
/// weights of ±<see cref="FakeQuant.WeightLevels"/> and an int32 bias at scale s_in·s_w, each ReLU output is
/// quantised to uint8 from 0 with its calibrated scale (<see cref="ActivationScales"/>), max-pooling stays on that
/// grid; pooling, classifier and softmax run in float. Same inputs, outputs and metadata as
/// <see cref="AgeNetOnnxExporter"/> (<see cref="AgeNetOnnxContract"/>), plus precision "int8".
/// The rounding is the one <see cref="FakeQuant"/> applies in noise-aware training.
/// </summary>
public static class AgeNetQdqExporter
{
    public static byte[] Export(AgeNet network, AgeModelVersion version, ActivationScales scales)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(scales);
        var blocks = network.Blocks().ToList();
        if (scales.Blocks.Length != blocks.Count || scales.Input <= 0 || scales.Blocks.Any(s => !(s > 0) || !float.IsFinite(s)))
        {
            throw new ArgumentException($"expected positive scales for the input and {blocks.Count} blocks", nameof(scales));
        }

        var b = AgeNetOnnxExporter.Begin(network.Config, version, AgeModelPrecision.Int8);
        b.Initializer("input.scale", [], [scales.Input]);
        b.Initializer("input.zero", [], [(byte)FakeQuant.InputZeroPoint]);
        b.Node("QuantizeLinear", [AgeNetOnnxContract.InputName, "input.scale", "input.zero"], ["input.q"]);
        var q = "input.q";
        var inScale = scales.Input;
        var inScaleName = "input.scale";
        var inZeroName = "input.zero";
        for (var i = 0; i < blocks.Count; i++)
        {
            var (conv, norm, poolAfter) = blocks[i];
            var (weights, bias) = AgeNetOnnxExporter.FoldBatchNorm(conv, norm);
            var shape = conv.weight!.shape;
            var outChannels = (int)shape[0];
            var perChannel = weights.Length / outChannels;
            var wq = new sbyte[weights.Length];
            var wScale = new float[outChannels];
            var bq = new int[outChannels];
            for (var c = 0; c < outChannels; c++)
            {
                var row = weights.AsSpan(c * perChannel, perChannel);
                var max = 0f;
                foreach (var v in row)
                {
                    max = Math.Max(max, Math.Abs(v));
                }

                var s = Math.Max(max, 1e-12f) / FakeQuant.WeightLevels;
                wScale[c] = s;
                for (var k = 0; k < perChannel; k++)
                {
                    wq[(c * perChannel) + k] = (sbyte)Math.Clamp(MathF.Round(row[k] / s, MidpointRounding.ToEven), -FakeQuant.WeightLevels, FakeQuant.WeightLevels);
                }

                bq[c] = (int)Math.Clamp(Math.Round(bias[c] / ((double)inScale * s), MidpointRounding.ToEven), int.MinValue, int.MaxValue);
            }

            var biasScale = wScale.Select(s => inScale * s).ToArray();
            b.Initializer($"conv{i}.weight.q", shape, wq);
            b.Initializer($"conv{i}.weight.scale", [outChannels], wScale);
            b.Initializer($"conv{i}.weight.zero", [outChannels], new sbyte[outChannels]);
            b.Initializer($"conv{i}.bias.q", [outChannels], bq);
            b.Initializer($"conv{i}.bias.scale", [outChannels], biasScale);
            b.Initializer($"conv{i}.bias.zero", [outChannels], new int[outChannels]);
            b.Node("DequantizeLinear", [q, inScaleName, inZeroName], [$"conv{i}.x"]);
            b.Node("DequantizeLinear", [$"conv{i}.weight.q", $"conv{i}.weight.scale", $"conv{i}.weight.zero"], [$"conv{i}.w"], ("axis", 0L));
            b.Node("DequantizeLinear", [$"conv{i}.bias.q", $"conv{i}.bias.scale", $"conv{i}.bias.zero"], [$"conv{i}.b"], ("axis", 0L));
            b.Node("Conv", [$"conv{i}.x", $"conv{i}.w", $"conv{i}.b"], [$"conv{i}"],
                ("kernel_shape", new long[] { 3, 3 }), ("pads", new long[] { 1, 1, 1, 1 }), ("strides", new long[] { 1, 1 }));
            b.Node("Relu", [$"conv{i}"], [$"relu{i}"]);
            var outScale = scales.Blocks[i];
            b.Initializer($"act{i}.scale", [], [outScale]);
            b.Initializer($"act{i}.zero", [], [(byte)0]);
            b.Node("QuantizeLinear", [$"relu{i}", $"act{i}.scale", $"act{i}.zero"], [$"relu{i}.q"]);
            q = $"relu{i}.q";
            if (poolAfter)
            {
                b.Node("DequantizeLinear", [q, $"act{i}.scale", $"act{i}.zero"], [$"relu{i}.dq"]);
                b.Node("MaxPool", [$"relu{i}.dq"], [$"pool{i}"], ("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { 2, 2 }));
                b.Node("QuantizeLinear", [$"pool{i}", $"act{i}.scale", $"act{i}.zero"], [$"pool{i}.q"]);
                q = $"pool{i}.q";
            }

            inScale = outScale;
            inScaleName = $"act{i}.scale";
            inZeroName = $"act{i}.zero";
        }

        b.Node("DequantizeLinear", [q, inScaleName, inZeroName], ["features.dq"]);
        AgeNetOnnxExporter.End(b, network, "features.dq");
        return b.Build("foglens_age_net_int8", version.Version);
    }

    public static void Export(AgeNet network, AgeModelVersion version, ActivationScales scales, string path) =>
        AgeNetOnnxExporter.WriteAtomically(path, Export(network, version, scales));
}
