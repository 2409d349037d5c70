namespace FogLens.Contracts.Imaging;

/// <summary>
/// How a face detector's box becomes the crop the age model sees. UTKFace's aligned chips show the
/// whole head with some margin, while detector boxes (BlazeFace, Haar) cover brows to chin. So the
/// crop is a square centred on the box, moved up a little (foreheads and hair are in the chips), with
/// side <see cref="ExpandFactor"/> × the box's larger side, clipped to the frame. Edge agents use this
/// function before they publish a crop, so the fog sees faces framed like the training data.
/// </summary>
public static class FaceCropGeometry
{
    /// <summary>Crop side relative to the detector box's larger side.</summary>
    public const double ExpandFactor = 1.6;

    /// <summary>Upward shift of the crop centre, as a fraction of the box height.</summary>
    public const double UpShift = 0.1;

    /// <summary>Returns the crop rectangle (x, y, width, height) inside a frame of the given size.</summary>
    public static (int X, int Y, int Width, int Height) Expand(
        double boxX, double boxY, double boxWidth, double boxHeight, int frameWidth, int frameHeight)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frameWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frameHeight);
        var side = Math.Max(boxWidth, boxHeight) * ExpandFactor;
        var cx = boxX + (boxWidth / 2);
        var cy = boxY + (boxHeight / 2) - (UpShift * boxHeight);
        var x0 = (int)Math.Round(Math.Clamp(cx - (side / 2), 0, frameWidth - 1));
        var y0 = (int)Math.Round(Math.Clamp(cy - (side / 2), 0, frameHeight - 1));
        var x1 = (int)Math.Round(Math.Clamp(cx + (side / 2), x0 + 1, frameWidth));
        var y1 = (int)Math.Round(Math.Clamp(cy + (side / 2), y0 + 1, frameHeight));
        return (x0, y0, x1 - x0, y1 - y0);
    }
}
