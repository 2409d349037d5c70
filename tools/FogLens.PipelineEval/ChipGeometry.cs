namespace FogLens.PipelineEval;

/// <summary>
/// Where the face detector's box lies in a UTKFace chip, measured by <see cref="ChipFramingProbe"/>
/// (`./foglens pipeline framing`): the chip's side is <see cref="SideOverBox"/> × the box side and the
/// chip's centre lies <see cref="CentreAboveBox"/> × the box side above the box centre. The scenes use it
/// for ground truth: a chip pasted with side S holds a face whose box side is S / SideOverBox. It does
/// not depend on how production frames crops, so "before" and "after" runs share the same truth.
/// </summary>
public static class ChipGeometry
{
    public const double SideOverBox = 1.07;

    public const double CentreAboveBox = 0.015;

    /// <summary>The face box (x, y, side) of a chip pasted at (x, y) with side <paramref name="chipSide"/>.</summary>
    public static (double X, double Y, double Side) FaceBox(double chipX, double chipY, double chipSide)
    {
        var side = chipSide / SideOverBox;
        var cx = chipX + (chipSide / 2);
        var cy = chipY + (chipSide / 2) + (CentreAboveBox * side);
        return (cx - (side / 2), cy - (side / 2), side);
    }
}
