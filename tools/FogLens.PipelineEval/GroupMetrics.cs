namespace FogLens.PipelineEval;

/// <summary>Age error of the tracks of people in one true age group.</summary>
public sealed record GroupMetrics(string Group, int People, int Tracks, double? Mae, double? SignedError);
