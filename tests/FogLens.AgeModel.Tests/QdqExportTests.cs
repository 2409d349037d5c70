using FogLens.AgeModel.Inference;
using FogLens.AgeModel.Onnx;
using FogLens.AgeModel.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace FogLens.AgeModel.Tests;

public sealed class QdqExportTests
{
    private static readonly AgeNetConfig SmallConfig = new() { InputSize = 32, Widths = [8, 16, 32], ConvsPerStage = [1, 2, 1] };

    [Fact]
    public void Int8Graph_AgreesWithTheFakeQuantisedNetwork_AndDeclaresItsPrecision()
    {
        torch.manual_seed(11);
        using var net = new AgeNet(SmallConfig);
        OnnxExportTestsHelpers.RandomiseBatchNorm(net);
        net.eval();
        var input = RandomInput(6, seed: 4);
        var scales = ActivationScales.Calibrate(net, [RandomInput(16, seed: 5), RandomInput(16, seed: 6)], SmallConfig.InputSize);

        var fp32 = TorchAges(net, input, 6);
        net.QuantizationNoise = scales;
        var fakeQuant = TorchAges(net, input, 6);
        net.QuantizationNoise = null;
        var bytes = AgeNetQdqExporter.Export(net, new AgeModelVersion("q-1", "p-0"), scales);
        using var estimator = new AgeEstimator(bytes);
        var int8 = estimator.PredictPrepared(input, 6).Select(p => (double)p.ExpectedAge).ToArray();

        Assert.Equal(AgeModelPrecision.Int8, estimator.Precision);
        Assert.Equal("q-1", estimator.ModelVersion);
        Assert.Equal("p-0", estimator.ParentVersion);
        var toFakeQuant = int8.Zip(fakeQuant, (a, b) => Math.Abs(a - b)).Max();
        var toFp32 = int8.Zip(fp32, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(toFakeQuant < 0.5, $"int8 graph vs fake-quantised network: {toFakeQuant:F3} years");
        Assert.True(toFakeQuant <= toFp32, $"int8 graph is closer to fp32 ({toFp32:F3}) than to the fake-quantised network ({toFakeQuant:F3})");
        var convWeights = net.Blocks().Sum(b => b.Conv.weight!.numel());
        var saved = AgeNetOnnxExporter.Export(net, "q-1").Length - bytes.Length;
        Assert.True(saved > 2.5 * convWeights, $"int8 graph saves {saved} bytes on {convWeights} conv weights: they are not stored as int8");
    }

    [Fact]
    public void Export_RejectsScalesOfTheWrongShape()
    {
        using var net = new AgeNet(SmallConfig);
        Assert.Throws<ArgumentException>(() => AgeNetQdqExporter.Export(net, new AgeModelVersion("q"), new ActivationScales(0.01f, [0.1f, 0.1f])));
        Assert.Throws<ArgumentException>(() => AgeNetQdqExporter.Export(net, new AgeModelVersion("q"), new ActivationScales(0.01f, [0.1f, 0.1f, 0f, 0.1f])));
    }

    [Fact]
    public void FakeQuant_Weights_LandOnAPerChannelGridOf63Levels()
    {
        using var w = torch.randn(4, 3, 3, 3);
        using var q = FakeQuant.WeightsPerChannel(w);
        using var scale = w.abs().amax([1, 2, 3], keepdim: true) / FakeQuant.WeightLevels;
        using var steps = q / scale;
        using var offGrid = (steps - steps.round()).abs().max();
        Assert.True(offGrid.item<float>() < 1e-3);
        using var error = (q - w).abs().max();
        Assert.True(error.item<float>() <= (scale.max().item<float>() / 2) + 1e-6);
    }

    [Fact]
    public void FakeQuant_PassesGradientsStraightThrough()
    {
        using var x = torch.tensor(new[] { 0.013f, 0.5f, 0.77f }, requires_grad: true);
        using var y = FakeQuant.Activation(x, 0.1f, 0);
        y.sum().backward();
        Assert.Equal([0f, 0.5f, 0.8f], y.detach().data<float>().ToArray().Select(v => MathF.Round(v, 4)).ToArray());
        Assert.Equal([1f, 1f, 1f], x.grad!.data<float>().ToArray());
    }

    private static double[] TorchAges(AgeNet net, float[] input, int batch)
    {
        using var noGrad = torch.no_grad();
        using var x = torch.tensor(input, [batch, 3, SmallConfig.InputSize, SmallConfig.InputSize]);
        using var logits = net.forward(x);
        using var probs = nn.functional.softmax(logits, 1);
        var p = probs.data<float>().ToArray();
        return [.. Enumerable.Range(0, batch).Select(b => LabelDistribution.ExpectedAge(p.AsSpan(b * LabelDistribution.Bins, LabelDistribution.Bins)))];
    }

    private static float[] RandomInput(int batch, int seed)
    {
        var rng = new Random(seed);
        var input = new float[batch * 3 * SmallConfig.InputSize * SmallConfig.InputSize];
        for (var i = 0; i < input.Length; i++)
        {
            input[i] = (float)((rng.NextDouble() * 2) - 1);
        }

        return input;
    }
}
