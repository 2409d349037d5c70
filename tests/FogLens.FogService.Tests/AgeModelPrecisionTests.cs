using FogLens.AgeModel;
using FogLens.FogService.Inference;
using FogLens.Tests.Shared;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using FogLens.FogService.Common;

namespace FogLens.FogService.Tests;

/// <summary>Fog:ModelPrecision chooses the fp32 graph or the int8 graph beside it, and refuses what it cannot run.</summary>
public sealed class AgeModelPrecisionTests : IDisposable
{
    private static readonly string Committed = Path.Combine(TestPaths.RepoRoot, "models", "age", "age-net.onnx");
    private readonly string _folder = Directory.CreateTempSubdirectory("foglens-precision-").FullName;

    [Fact]
    public void Int8_LoadsTheQdqGraphBesideModelPath()
    {
        var int8 = Path.Combine(TestPaths.RepoRoot, "models", "age", "age-net.int8.onnx");
        using var provider = new AgeModelProvider(Options(Committed, AgeModelPrecision.Int8), NullLogger<AgeModelProvider>.Instance);
        using var lease = provider.Acquire();
        Assert.Equal(AgeModelPrecision.Int8, lease.Estimator.Precision);
        Assert.True(File.Exists(int8));
    }

    [Fact]
    public void Fp32_IsTheDefault()
    {
        Assert.Equal(AgeModelPrecision.Fp32, new FogOptions().ModelPrecision);
        using var provider = new AgeModelProvider(Options(Committed, new FogOptions().ModelPrecision), NullLogger<AgeModelProvider>.Instance);
        using var lease = provider.Acquire();
        Assert.Equal(AgeModelPrecision.Fp32, lease.Estimator.Precision);
    }

    [Fact]
    public void Int8_WithoutTheInt8Graph_FailsNamingTheSetting()
    {
        var onlyFp32 = Path.Combine(_folder, "age-net.onnx");
        File.Copy(Committed, onlyFp32);
        var ex = Assert.Throws<FileNotFoundException>(() => new AgeModelProvider(Options(onlyFp32, AgeModelPrecision.Int8), NullLogger<AgeModelProvider>.Instance));
        Assert.Contains("Fog:ModelPrecision", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Int8_WhenTheFileBesideIsFp32_IsRefused()
    {
        var model = Path.Combine(_folder, "age-net.onnx");
        File.Copy(Committed, model);
        File.Copy(Committed, Path.Combine(_folder, "age-net.int8.onnx"));
        var ex = Assert.Throws<InvalidDataException>(() => new AgeModelProvider(Options(model, AgeModelPrecision.Int8), NullLogger<AgeModelProvider>.Instance));
        Assert.Contains("Fog:ModelPrecision", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validator_RejectsAnUndefinedPrecision()
    {
        var options = new FogOptions { FogId = "fog-p", ModelPrecision = (AgeModelPrecision)7 };
        var result = new ValidateFogOptions().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains("Fog:ModelPrecision", result.FailureMessage, StringComparison.Ordinal);
        Assert.True(new ValidateFogOptions().Validate(null, new FogOptions { FogId = "fog-p", ModelPrecision = AgeModelPrecision.Int8 }).Succeeded);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private IOptions<FogOptions> Options(string modelPath, AgeModelPrecision precision) =>
        Microsoft.Extensions.Options.Options.Create(new FogOptions { FogId = "fog-p", DataDirectory = _folder, ModelPath = modelPath, ModelPrecision = precision });
}
