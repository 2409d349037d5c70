using FogLens.AgeModel.Inference;
using FogLens.AgeModel.Onnx;
using FogLens.AgeModel.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace FogLens.AgeModel.Tests;

public sealed class OnnxExportTests
{
    private static readonly AgeNetConfig SmallConfig = new() { InputSize = 32, Widths = [8, 16, 32], ConvsPerStage = [1, 2, 1] };

    [Fact]
    public void OnnxRuntime_AgreesWithTorchSharp_Within1e4()
    {
        torch.manual_seed(7);
        using var net = new AgeNet(SmallConfig);
        OnnxExportTestsHelpers.RandomiseBatchNorm(net);
        net.eval();

        var rng = new Random(3);
        const int batch = 5;
        var input = new float[batch * 3 * 32 * 32];
        for (var i = 0; i < input.Length; i++)
        {
            input[i] = (float)((rng.NextDouble() * 2) - 1);
        }

        float[] expected;
        using (torch.no_grad())
        using (var x = torch.tensor(input, [batch, 3, 32, 32]))
        using (var logits = net.forward(x))
        using (var probs = nn.functional.softmax(logits, 1))
        {
            expected = probs.data<float>().ToArray();
        }

        using var estimator = new AgeEstimator(AgeNetOnnxExporter.Export(net, "test-1"));
        Assert.Equal(32, estimator.InputSize);
        Assert.Equal("test-1", estimator.ModelVersion);
        var predictions = estimator.PredictPrepared(input, batch);

        var maxDiff = 0.0;
        for (var b = 0; b < batch; b++)
        {
            for (var k = 0; k < LabelDistribution.Bins; k++)
            {
                maxDiff = Math.Max(maxDiff, Math.Abs(expected[(b * LabelDistribution.Bins) + k] - predictions[b].Distribution[k]));
            }

            var expectedAge = LabelDistribution.ExpectedAge(expected.AsSpan(b * LabelDistribution.Bins, LabelDistribution.Bins));
            Assert.Equal(expectedAge, predictions[b].ExpectedAge, 3);
        }

        Assert.True(maxDiff <= 1e-4, $"max |torch - onnx| = {maxDiff}");
    }

    [Fact]
    public void AgeEstimator_RejectsGarbageAndForeignModels()
    {
        Assert.Throws<InvalidDataException>(() => new AgeEstimator("not onnx"u8.ToArray()));
        var blazeface = Path.Combine(FogLens.Tests.Shared.TestPaths.RepoRoot, "models", "blazeface", "face_detection_front_128x128_barracuda.onnx");
        Assert.SkipUnless(File.Exists(blazeface), "BlazeFace model not fetched (./foglens setup)");
        var ex = Assert.Throws<InvalidDataException>(() => new AgeEstimator(blazeface));
        Assert.Contains("input", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Export_WritesTheContractsMetadata()
    {
        using var net = new AgeNet(SmallConfig);
        using var estimator = new AgeEstimator(AgeNetOnnxExporter.Export(net, new AgeModelVersion("child-2", "parent-1")));
        Assert.Equal("child-2", estimator.ModelVersion);
        Assert.Equal("parent-1", estimator.ParentVersion);
        Assert.Equal(AgeModelPrecision.Fp32, estimator.Precision);
        Assert.Equal(AgeModelPrecision.Int8, AgeNetOnnxContract.ParsePrecision(AgeNetOnnxContract.PrecisionValue(AgeModelPrecision.Int8)));
        Assert.Throws<InvalidDataException>(() => AgeNetOnnxContract.ParsePrecision("int4"));
    }
}
