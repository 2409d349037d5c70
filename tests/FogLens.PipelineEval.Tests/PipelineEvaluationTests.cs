using FogLens.PipelineEval;
using FogLens.Tests.Shared;

namespace FogLens.PipelineEval.Tests;

/// <summary>
/// The camera-to-age evaluation on a small seeded subset of the validation split, with the production
/// edge (default detector, motion gate, tracker, crop framing) and fog (preprocessing, committed model).
/// The bounds are loose for 16 people per size, and still far beyond what the front model with the
/// 1.6 × framing reached (recall 10 % at 24 px and 20 % at 32 px, MAE 13 at 96 px).
/// </summary>
public sealed class PipelineEvaluationTests
{
    [Fact]
    public void Run_SmallSeededSubset_FindsFarFacesAndEstimatesAges()
    {
        var dataset = TestPaths.RequireDataset();
        TestPaths.RequireInstalled(Path.Combine(TestPaths.OpenCvSamples, "home.jpg"), "opencv-doc");
        var options = new PipelineEvalOptions(
            dataset, [24, 32, 96], Path.Combine(TestPaths.RepoRoot, "models", "age", "age-net.onnx"), Limit: 16, Seed: 11);

        var result = new PipelineEvaluation(options, _ => { }).Run();

        var bySize = result.Sizes.ToDictionary(s => s.Size!.Value);
        Assert.Equal(16, bySize[24].People);
        Assert.True(bySize[24].Recall >= RecallAt24, $"recall at 24 px {bySize[24].Recall:P0} < {RecallAt24:P0}");
        Assert.True(bySize[32].Recall >= RecallAt32, $"recall at 32 px {bySize[32].Recall:P0} < {RecallAt32:P0}");
        Assert.True(bySize[96].Recall >= 0.9, $"recall at 96 px {bySize[96].Recall:P0}");
        Assert.True(bySize[96].Mae <= MaeAt96, $"MAE at 96 px {bySize[96].Mae:F2} > {MaeAt96}");
        Assert.True(bySize[32].Mae <= MaeAt32, $"MAE at 32 px {bySize[32].Mae:F2} > {MaeAt32}");
        Assert.True(result.Overall.DuplicatesPerPerson <= 0.25, $"duplicates per person {result.Overall.DuplicatesPerPerson:F2}");
        Assert.True(result.Fps > 0);
    }

    private const double RecallAt24 = 0.7;
    private const double RecallAt32 = 0.8;
    private const double MaeAt32 = 12;
    private const double MaeAt96 = 8;
}
