namespace FogLens.Contracts.Imaging;

/// <summary>
/// How a face detector's box becomes the crop the age model sees: the one framing of training, edge
/// and fog. The age model is trained on UTKFace's aligned chips, and a chip is framed at about 1.07 ×
/// the BlazeFace box, centred on it (measured by running the detectors on the chips themselves:
/// `./foglens pipeline framing`; back model 1.057, front model 1.091, centres within 2 % of a box
/// side). So the crop is a square centred on the box, moved up by <see cref="UpShift"/>, with side
/// <see cref="ExpandFactor"/> × the box's larger side, clipped to the frame. Edge agents cut and publish
/// this crop and the fog feeds it to the model as it is, so the model sees faces framed like its training
/// data. (A looser framing, e.g. the 1.6 × used before, shows surround the chips do not have: the face
/// filled 58 % of the crop's width instead of 93 %, and age errors tripled; docs/benchmarks.md.)
/// </summary>
public static class FaceCropGeometry
{
    /// <summary>Crop side relative to the detector box's larger side (the chips' framing).</summary>
    public const double ExpandFactor = 1.07;

    /// <summary>Upward shift of the crop centre, as a fraction of the box height.</summary>
    public const double UpShift = 0.01;

    /// <summary>Returns the crop rectangle (x, y, width, height) inside a frame of the given size.</summary>
    public static (int X, int Y, int Width, int Height) Expand(
        double boxX, double boxY, double boxWidth, double boxHeight, int frameWidth, int frameHeight)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frameWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frameHeight);
        var side = Math.Max(1, (int)Math.Round(Math.Max(boxWidth, boxHeight) * ExpandFactor)); // whole pixels: square unless clipped
        var cx = boxX + (boxWidth / 2);
        var cy = boxY + (boxHeight / 2) - (UpShift * boxHeight);
        var left = (int)Math.Round(cx - (side / 2.0));
        var top = (int)Math.Round(cy - (side / 2.0));
        var x0 = Math.Clamp(left, 0, frameWidth - 1);
        var y0 = Math.Clamp(top, 0, frameHeight - 1);
        var x1 = Math.Clamp(left + side, x0 + 1, frameWidth);
        var y1 = Math.Clamp(top + side, y0 + 1, frameHeight);
        return (x0, y0, x1 - x0, y1 - y0);
    }
}
