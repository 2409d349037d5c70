namespace FogLens.PipelineEval;

/// <summary>A labelled person that walked through a clip of the given size bucket.</summary>
public sealed record PersonTruth(int Id, int Size, int Age);
