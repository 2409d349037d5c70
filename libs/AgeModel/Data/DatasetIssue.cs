namespace FogLens.AgeModel.Data;

/// <summary>A file that was skipped, and why.</summary>
public sealed record DatasetIssue(string FileName, string Problem);
