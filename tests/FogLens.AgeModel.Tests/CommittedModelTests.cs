using FogLens.AgeModel.Data;
using FogLens.AgeModel.Evaluation;
using FogLens.AgeModel.Inference;
using FogLens.AgeModel.Onnx;
using FogLens.AgeModel.Training;
using FogLens.Tests.Shared;
using TorchSharp;
using static TorchSharp.torch;

namespace FogLens.AgeModel.Tests;

/// <summary>Checks on the model committed in models/age/.</summary>
public sealed class CommittedModelTests
{
    private static string ModelFolder => Path.Combine(TestPaths.RepoRoot, "models", "age");

    /// <summary>The parent of the shipped model, kept beside it (an option for the fog, and the portal's history).</summary>
    private static string ParentFolder => Path.Combine(ModelFolder, "age-v1-cam");

    [Fact]
    public void CommittedOnnx_OnFixedValidationSubset_HasMaeBelowBound()
    {
        var scan = UtkFaceDataset.Scan(TestPaths.RequireDataset());
        var (_, validation) = DatasetSplit.Split(scan.Samples);
        var subset = DatasetSplit.FixedSubset(validation, 300);
        using var estimator = new AgeEstimator(Path.Combine(ModelFolder, ModelFiles.Onnx), intraOpThreads: 2);

        var report = AgeEvaluator.Evaluate(estimator, subset, 64, null, out var unreadable);

        Assert.Empty(unreadable);
        Assert.Equal(300, report.Count);
        // The full validation MAE is 4.59 (age-v2). A broken model fails the absolute bound, and one that has only
        // learned the average fails the comparison with predicting the subset's mean age for everyone.
        var ages = subset.Select(s => (double)LabelDistribution.Clamp(s.Label.Age)).ToArray();
        var constantBaseline = ages.Average(a => Math.Abs(a - ages.Average()));
        Assert.True(report.MeanAbsoluteError < 6.0, $"MAE {report.MeanAbsoluteError:F2} on the fixed subset");
        Assert.True(report.MeanAbsoluteError < 0.4 * constantBaseline, $"MAE {report.MeanAbsoluteError:F2} vs constant baseline {constantBaseline:F2}");
        Assert.True(report.ByGroup[0].MeanAbsoluteError < 4.0, "babies must be recognised as babies");
    }

    [Fact]
    public void CommittedOnnx_MatchesCommittedWeights()
    {
        using var network = ModelFiles.LoadNetwork(ModelFolder);
        using var estimator = new AgeEstimator(Path.Combine(ModelFolder, ModelFiles.Onnx));
        Assert.Equal("age-v2", estimator.ModelVersion);
        Assert.Equal("age-v1-cam", estimator.ParentVersion);
        var rng = new Random(5);
        var input = new float[2 * estimator.Preprocessor.TensorLength];
        for (var i = 0; i < input.Length; i++)
        {
            input[i] = (float)((rng.NextDouble() * 2) - 1);
        }

        float[] expected;
        using (torch.no_grad())
        using (var x = torch.tensor(input, [2, 3, estimator.InputSize, estimator.InputSize]))
        using (var logits = network.forward(x))
        using (var probs = nn.functional.softmax(logits, 1))
        {
            expected = probs.data<float>().ToArray();
        }

        var predictions = estimator.PredictPrepared(input, 2);
        for (var b = 0; b < 2; b++)
        {
            for (var k = 0; k < LabelDistribution.Bins; k++)
            {
                Assert.True(Math.Abs(expected[(b * LabelDistribution.Bins) + k] - predictions[b].Distribution[k]) <= 1e-4);
            }
        }

        Assert.Equal(AgeNetOnnxExporter.Export(network, new AgeModelVersion("age-v2", "age-v1-cam")), File.ReadAllBytes(Path.Combine(ModelFolder, ModelFiles.Onnx)));
    }

    [Fact]
    public void CommittedInt8_IsTheQdqExportOfTheCommittedWeightsAndScales()
    {
        using var network = ModelFiles.LoadNetwork(ModelFolder);
        var scales = ActivationScales.FromJson(File.ReadAllText(Path.Combine(ModelFolder, ModelFiles.ScalesFile)));
        var committed = File.ReadAllBytes(Path.Combine(ModelFolder, ModelFiles.Int8Onnx));

        Assert.Equal(AgeNetQdqExporter.Export(network, new AgeModelVersion("age-v2", "age-v1-cam"), scales), committed);
        using var estimator = new AgeEstimator(committed);
        Assert.Equal(AgeModelPrecision.Int8, estimator.Precision);
    }

    [Fact]
    public void CommittedInt8_OnFixedValidationSubset_IsWithinATenthOfAYearOfFp32()
    {
        var (_, validation) = DatasetSplit.Split(UtkFaceDataset.Scan(TestPaths.RequireDataset()).Samples);
        var subset = DatasetSplit.FixedSubset(validation, 300);
        using var fp32 = new AgeEstimator(Path.Combine(ModelFolder, ModelFiles.Onnx), intraOpThreads: 2);
        using var int8 = new AgeEstimator(Path.Combine(ModelFolder, ModelFiles.Int8Onnx), intraOpThreads: 2);

        var maeFp32 = AgeEvaluator.Evaluate(fp32, subset, 64, null, out _).MeanAbsoluteError;
        var maeInt8 = AgeEvaluator.Evaluate(int8, subset, 64, null, out _).MeanAbsoluteError;

        Assert.True(Math.Abs(maeInt8 - maeFp32) <= 0.1, $"int8 MAE {maeInt8:F3} vs fp32 {maeFp32:F3} on the fixed subset");
    }

    [Fact]
    public void Parent_IsKeptBesideIt()
    {
        using var network = ModelFiles.LoadNetwork(ParentFolder);
        using var estimator = new AgeEstimator(Path.Combine(ParentFolder, ModelFiles.Onnx));
        Assert.Equal("age-v1-cam", estimator.ModelVersion);
        Assert.Equal(AgeNetOnnxExporter.Export(network, "age-v1-cam"), File.ReadAllBytes(Path.Combine(ParentFolder, ModelFiles.Onnx)));
    }
}
