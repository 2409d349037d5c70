namespace FogLens.PipelineEval;

/// <summary>The side of the face an occluder covers.</summary>
public enum OcclusionKind
{
    None,
    Bottom,
    Left,
    Right,
}
