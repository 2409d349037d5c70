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
        var done = 0;
        foreach (var chunk in samples.Chunk(batchSize))
        {
            var predictions = estimator.PredictEncoded([.. chunk.Select(s => (ReadOnlyMemory<byte>)File.ReadAllBytes(s.Path))]);
            for (var i = 0; i < chunk.Length; i++)
            {
                if (predictions[i] is { } prediction)
                {
                    results.Add(new EvaluationSample(chunk[i].FileName, chunk[i].Label, prediction.ExpectedAge));
                }
                else
                {
                    problems.Add(new DatasetIssue(chunk[i].FileName, "not a readable image"));
                }
            }

            done += chunk.Length;
            progress?.Report(done);
        }

        unreadable = problems;
        return EvaluationReport.Create(results, estimator.Groups);
    }
}
