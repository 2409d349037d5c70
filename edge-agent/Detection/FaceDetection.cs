namespace FogLens.EdgeAgent.Detection;

/// <summary>A detected face: box in frame pixels and the detector's confidence in [0, 1].</summary>
public readonly record struct FaceDetection(float X, float Y, float Width, float Height, float Score)
{
    public float Right => X + Width;

    public float Bottom => Y + Height;

    public float CenterX => X + (Width / 2);

    public float CenterY => Y + (Height / 2);

    public float Area => Math.Max(0, Width) * Math.Max(0, Height);

    /// <summary>Intersection over union with another box.</summary>
    public float IoU(in FaceDetection other)
    {
        var ix = Math.Max(0, Math.Min(Right, other.Right) - Math.Max(X, other.X));
        var iy = Math.Max(0, Math.Min(Bottom, other.Bottom) - Math.Max(Y, other.Y));
        var intersection = ix * iy;
        var union = Area + other.Area - intersection;
        return union <= 0 ? 0 : intersection / union;
    }
}
