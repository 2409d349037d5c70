namespace FogLens.PipelineEval;

/// <summary>Signed error of one true age group for the compared model and for the first one.</summary>
public sealed record GroupComparison(string Group, int Tracks, double? SignedError, double? BaselineSignedError);
