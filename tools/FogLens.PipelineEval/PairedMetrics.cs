namespace FogLens.PipelineEval;

/// <summary>
/// Tracks of labelled people that both models aged; their MAE, CS(5) and signed error for the compared model
/// and the first one, and the difference of the MAEs (compared − first) with a 95 % interval from the
/// paired per-track differences of absolute error (normal approximation).
/// </summary>
public sealed record PairedMetrics(
    int? Size,
    int Tracks,
    double? Mae,
    double? BaselineMae,
    double? Cs5,
    double? BaselineCs5,
    double? SignedError,
    double? MaeDifference,
    double? DifferenceLow,
    double? DifferenceHigh);
