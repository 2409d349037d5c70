using FogLens.AgeModel.Data;
using FogLens.AgeModel.Inference;

namespace FogLens.AgeModel.Evaluation;

/// <summary>Runs an <see cref="AgeEstimator"/> over labelled faces in batches and builds the report.</summary>
public static class AgeEvaluator
{
    public static EvaluationReport Evaluate(
        AgeEstimator estimator, IReadOnlyList<FaceSample> samples, int batchSize, IProgress<int>? progress, out IReadOnlyList<DatasetIssue> unreadable)
    {
        ArgumentNullException.ThrowIfNull(estimator);
        ArgumentNullException.ThrowIfNull(samples);
        var results = new List<EvaluationSample>(samples.Count);
        var problems = new List<DatasetIssue>();
        var length = estimator.Preprocessor.TensorLength;
        var buffer = new float[batchSize * length];
        var batch = new List<FaceSample>(batchSize);
        var done = 0;
        foreach (var chunk in samples.Chunk(batchSize))
        {
            batch.Clear();
            foreach (var sample in chunk)
            {
                using var image = Imaging.FacePreprocessor.Decode(File.ReadAllBytes(sample.Path));
                if (image is null)
                {
                    problems.Add(new DatasetIssue(sample.FileName, "not a readable image"));
                    continue;
                }

                estimator.Preprocessor.Prepare(image, buffer.AsSpan(batch.Count * length, length));
                batch.Add(sample);
            }

            if (batch.Count > 0)
            {
                var predictions = estimator.PredictPrepared(buffer.AsMemory(0, batch.Count * length), batch.Count);
                for (var i = 0; i < batch.Count; i++)
                {
                    results.Add(new EvaluationSample(batch[i].FileName, batch[i].Label, predictions[i].ExpectedAge));
                }
            }

            done += chunk.Length;
            progress?.Report(done);
        }

        unreadable = problems;
        return EvaluationReport.Create(results, estimator.Groups);
    }
}
