using FogLens.AgeModel;
using FogLens.AgeModel.Data;
using FogLens.AgeModel.Evaluation;
using FogLens.AgeModel.Imaging;
using FogLens.AgeModel.Training;

namespace FogLens.Federated;

/// <summary>Age error of a model state on a held-out labelled set.</summary>
/// <param name="Mae">Mean absolute error of the expected age, in years.</param>
/// <param name="Count">Faces evaluated.</param>
/// <param name="GroupMae">MAE per age group (label of the true age's group), NaN for empty groups.</param>
public sealed record EvaluationResult(double Mae, int Count, IReadOnlyDictionary<string, double> GroupMae);

/// <summary>
/// Evaluates global model states on a held-out labelled set staged once (the coordinator's evaluation
/// set, or the validation split in experiments). Not thread-safe.
/// </summary>
public sealed class ServerEvaluator : IDisposable
{
    private readonly AgeNetConfig _config;
    private readonly StagedFaceSet _data;
    private readonly AgeGroupSet _groups;
    private readonly int _threads;

    public ServerEvaluator(AgeNetConfig config, IReadOnlyList<FaceSample> samples, int threads, CancellationToken cancellationToken, AgeGroupSet? groups = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        _config = config;
        _threads = threads;
        _groups = groups ?? AgeGroupSet.Default;
        _data = StagedFaceSet.Load(samples, new FacePreprocessor(config.InputSize), threads, null, cancellationToken);
    }

    public int Count => _data.Count;

    public EvaluationResult Evaluate(ModelState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        using var session = new AgeTrainingSession(_config, 1e-3, 0, 0, _threads);
        state.CopyTo(session.Network);
        var predictions = session.Predict(_data);
        var report = EvaluationReport.Create(
            [.. predictions.Select((p, i) => new EvaluationSample(_data.Samples[i].FileName, _data.Samples[i].Label, LabelDistribution.ExpectedAge(p)))],
            _groups);
        return new EvaluationResult(report.MeanAbsoluteError, report.Count, report.ByGroup.ToDictionary(g => g.Name, g => g.MeanAbsoluteError, StringComparer.Ordinal));
    }

    public void Dispose() => _data.Dispose();
}
