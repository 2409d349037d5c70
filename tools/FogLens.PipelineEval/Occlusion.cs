namespace FogLens.PipelineEval;

/// <summary>Part of a face hidden by something in front of it (a hand, a scarf, another head).</summary>
/// <param name="Kind">Which side is covered.</param>
/// <param name="Fraction">Share of the face box covered, from that side (0 = none).</param>
public readonly record struct Occlusion(OcclusionKind Kind, double Fraction)
{
    public static Occlusion None { get; } = new(OcclusionKind.None, 0);
}
