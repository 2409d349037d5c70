using FogLens.AgeModel.Data;
using FogLens.CloudPortal.Data;
using FogLens.Federated;
using Microsoft.Extensions.Options;

namespace FogLens.CloudPortal.Rounds;

/// <summary>
/// Measures model versions on the portal's evaluation set (Federated:EvaluationData, the validation split of a
/// labelled folder, or its sites' population with EvaluationPopulation=sites, optionally a fixed subset of
/// EvaluationLimit faces), staged once on first use. Every
/// version a promotion compares is measured here, so the numbers compared come from the same faces.
/// Not thread-safe: the coordinator calls it under its lock.
/// </summary>
public sealed partial class ModelEvaluation(ModelRegistry registry, IOptions<CoordinatorOptions> options, ILogger<ModelEvaluation> logger) : IDisposable
{
    private readonly CoordinatorOptions _options = options.Value;
    private ServerEvaluator? _evaluator;
    private bool _tried;

    /// <summary>The result for an aggregated state, or null when no evaluation set is configured.</summary>
    public EvaluationResult? Evaluate(ModelState state) => Evaluator()?.Evaluate(state);

    /// <summary>
    /// A registered version's MAE on the evaluation set, measured (and stored) the first time it is asked for;
    /// null when no evaluation set is configured.
    /// </summary>
    public async Task<double?> MaeOfAsync(ModelVersionRecord model, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.EvaluationMae is { } known)
        {
            return known;
        }

        if (Evaluator() is not { } evaluator)
        {
            return null;
        }

        var state = await registry.LoadStateAsync(model.Version);
        var result = await Task.Run(() => evaluator.Evaluate(state), cancellationToken);
        await registry.SetEvaluationMaeAsync(model.Version, result.Mae, cancellationToken);
        LogMeasured(model.Version, result.Mae, result.Count);
        return result.Mae;
    }

    public void Dispose() => _evaluator?.Dispose();

    private ServerEvaluator? Evaluator()
    {
        if (_tried)
        {
            return _evaluator;
        }

        _tried = true;
        if (string.IsNullOrEmpty(_options.EvaluationData) || !Directory.Exists(_options.EvaluationData))
        {
            LogNoEvaluation(_options.EvaluationData ?? "(not set)");
            return null;
        }

        var (_, validation) = DatasetSplit.Split(UtkFaceDataset.Scan(_options.EvaluationData).Samples);
        if (_options.EvaluationPopulation == "sites")
        {
            validation = FogLens.Federated.Experiments.SiteShiftScenario.Divide(validation).Sites;
        }
        if (_options.EvaluationLimit is { } limit)
        {
            validation = DatasetSplit.FixedSubset(validation, limit);
        }

        _evaluator = new ServerEvaluator(registry.Config, validation, Math.Max(1, Environment.ProcessorCount / 2), CancellationToken.None);
        return _evaluator;
    }

    [LoggerMessage(EventId = 4411, Level = LogLevel.Information, Message = "Model {Version} measured on the evaluation set: MAE {Mae:F3} over {Count} faces")]
    private partial void LogMeasured(string version, double mae, int count);

    [LoggerMessage(EventId = 4408, Level = LogLevel.Warning, Message = "New model versions are not evaluated, so none is promoted automatically: Federated:EvaluationData {Path} is not a folder")]
    private partial void LogNoEvaluation(string path);
}
