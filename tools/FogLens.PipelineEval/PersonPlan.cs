using FogLens.AgeModel.Data;

namespace FogLens.PipelineEval;

/// <summary>
/// One labelled person walking through a clip: which face, where and how fast, and what the camera does
/// to it (roll, motion blur, side light, occlusion).
/// </summary>
/// <param name="Id">Index of the person in the evaluation (unique over all clips).</param>
/// <param name="Face">The labelled face chip.</param>
/// <param name="ChipSide">Side of the pasted chip in frame pixels.</param>
/// <param name="StartX">Left edge of the chip in the first visible frame.</param>
/// <param name="Y">Top edge of the chip.</param>
/// <param name="Step">Horizontal movement per frame (pixels, signed).</param>
/// <param name="EnterFrame">First frame (in the clip) the person is visible.</param>
/// <param name="VisibleFrames">Frames the person is visible.</param>
/// <param name="RollDegrees">In-plane head rotation.</param>
/// <param name="BlurFraction">Motion blur length as a fraction of <paramref name="Step"/> (shutter open time / frame time).</param>
/// <param name="SideLight">Brightness at the darker side of the face (1 = even light).</param>
/// <param name="SideLightFromLeft">Whether the light comes from the left.</param>
/// <param name="Occlusion">What covers part of the face, if anything.</param>
/// <param name="ClothingBgr">Colour of the torso drawn below the head.</param>
public sealed record PersonPlan(
    int Id,
    FaceSample Face,
    int ChipSide,
    double StartX,
    int Y,
    double Step,
    int EnterFrame,
    int VisibleFrames,
    double RollDegrees,
    double BlurFraction,
    double SideLight,
    bool SideLightFromLeft,
    Occlusion Occlusion,
    (byte B, byte G, byte R) ClothingBgr)
{
    public bool IsVisible(int frame) => frame >= EnterFrame && frame < EnterFrame + VisibleFrames;

    /// <summary>Left edge of the chip in a frame where the person is visible.</summary>
    public double X(int frame) => StartX + (Step * (frame - EnterFrame));
}
