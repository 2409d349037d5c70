namespace FogLens.AgeModel.Evaluation;

/// <summary>MAE of one slice of the data (an age group, a gender, a race).</summary>
public sealed record ErrorBreakdown(string Name, int Count, double MeanAbsoluteError, double MeanSignedError);
