using FogLens.AgeModel.Data;
using FogLens.AgeModel.Imaging;
using OpenCvSharp;

namespace FogLens.AgeModel.Training;

/// <summary>
/// Labelled faces decoded once and kept at stage 1 of <see cref="FacePreprocessor"/> (2x input size),
/// so epochs only pay for the warp and normalisation. Unreadable images are reported, not thrown.
/// </summary>
public sealed class StagedFaceSet : IDisposable
{
    private readonly List<Mat> _stages;

    private StagedFaceSet(FacePreprocessor preprocessor, List<Mat> stages, List<FaceSample> samples, List<DatasetIssue> unreadable)
    {
        Preprocessor = preprocessor;
        _stages = stages;
        Samples = samples;
        Unreadable = unreadable;
    }

    public FacePreprocessor Preprocessor { get; }

    public IReadOnlyList<FaceSample> Samples { get; }

    public IReadOnlyList<DatasetIssue> Unreadable { get; }

    public int Count => _stages.Count;

    public Mat Stage(int index) => _stages[index];

    /// <summary>Decodes and stages <paramref name="samples"/> on <paramref name="threads"/> threads.</summary>
    public static StagedFaceSet Load(
        IReadOnlyList<FaceSample> samples, FacePreprocessor preprocessor, int threads, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(preprocessor);
        var stages = new Mat?[samples.Count];
        var problems = new string?[samples.Count];
        var done = 0;
        Parallel.For(0, samples.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads), CancellationToken = cancellationToken }, i =>
        {
            try
            {
                var bytes = File.ReadAllBytes(samples[i].Path);
                using var decoded = FacePreprocessor.Decode(bytes);
                if (decoded is null)
                {
                    problems[i] = "not a readable image";
                }
                else
                {
                    stages[i] = preprocessor.Stage(decoded);
                }
            }
            catch (IOException ex)
            {
                problems[i] = "cannot be read: " + ex.Message;
            }
            catch (UnauthorizedAccessException ex)
            {
                problems[i] = "cannot be read: " + ex.Message;
            }

            var n = Interlocked.Increment(ref done);
            if (n % 256 == 0 || n == samples.Count)
            {
                progress?.Report(n);
            }
        });

        var kept = new List<Mat>(samples.Count);
        var keptSamples = new List<FaceSample>(samples.Count);
        var unreadable = new List<DatasetIssue>();
        for (var i = 0; i < samples.Count; i++)
        {
            if (stages[i] is { } stage)
            {
                kept.Add(stage);
                keptSamples.Add(samples[i]);
            }
            else
            {
                unreadable.Add(new DatasetIssue(samples[i].FileName, problems[i] ?? "unknown error"));
            }
        }

        return new StagedFaceSet(preprocessor, kept, keptSamples, unreadable);
    }

    public void Dispose()
    {
        foreach (var m in _stages)
        {
            m.Dispose();
        }

        _stages.Clear();
    }
}
