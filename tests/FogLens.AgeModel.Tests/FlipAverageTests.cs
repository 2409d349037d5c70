using FogLens.AgeModel.Inference;
using FogLens.AgeModel.Training;
using FogLens.Tests.Shared;

namespace FogLens.AgeModel.Tests;

/// <summary>
/// Flip test-time augmentation (<see cref="AgeEstimator.FlipAverage"/>): a face's estimate is the average of its own
/// distribution and its mirror's, checked against two plain runs on the committed model.
/// </summary>
public sealed class FlipAverageTests
{
    [Fact]
    public void FlipAverage_IsTheMeanOfTheFaceAndItsMirror()
    {
        var model = Path.Combine(TestPaths.RepoRoot, "models", "age", ModelFiles.Onnx);
        using var plain = new AgeEstimator(model);
        using var flipped = new AgeEstimator(model) { FlipAverage = true };
        var length = plain.Preprocessor.TensorLength;
        var size = plain.InputSize;
        var rng = new Random(11);
        var faces = new float[2 * length];
        for (var i = 0; i < faces.Length; i++)
        {
            faces[i] = (float)((rng.NextDouble() * 2) - 1);
        }

        var mirrors = new float[faces.Length];
        for (var row = 0; row < faces.Length; row += size)
        {
            for (var x = 0; x < size; x++)
            {
                mirrors[row + x] = faces[row + size - 1 - x];
            }
        }

        var own = plain.PredictPrepared(faces.ToArray(), 2);
        var mirrored = plain.PredictPrepared(mirrors, 2);
        var averaged = flipped.PredictPrepared(faces.ToArray(), 2);

        for (var i = 0; i < 2; i++)
        {
            Assert.Equal((own[i].ExpectedAge + mirrored[i].ExpectedAge) / 2, averaged[i].ExpectedAge, 3);
            for (var b = 0; b < LabelDistribution.Bins; b++)
            {
                Assert.Equal((own[i].Distribution[b] + mirrored[i].Distribution[b]) / 2, averaged[i].Distribution[b], 5);
            }

            Assert.NotEqual(own[i].ExpectedAge, mirrored[i].ExpectedAge, 3); // random faces are not symmetric: the test can fail
        }
    }
}
