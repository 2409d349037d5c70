namespace FogLens.AgeModel.Imaging;

/// <summary>
/// Geometric and photometric jitter applied inside <see cref="FacePreprocessor.ToTensor"/>.
/// <see cref="Identity"/> is what inference uses.
/// </summary>
/// <param name="Scale">Zoom factor (1 = the whole face crop fills the input).</param>
/// <param name="ShiftX">Horizontal shift as a fraction of the input size.</param>
/// <param name="ShiftY">Vertical shift as a fraction of the input size.</param>
/// <param name="RotationDegrees">Rotation about the centre.</param>
/// <param name="Flip">Mirror left-right.</param>
/// <param name="Brightness">Added to intensities in [0, 1].</param>
/// <param name="Contrast">Multiplies deviations from mid-grey.</param>
/// <param name="Saturation">Multiplies deviations from the pixel's grey value.</param>
public readonly record struct Augmentation(
    float Scale, float ShiftX, float ShiftY, float RotationDegrees, bool Flip, float Brightness, float Contrast, float Saturation)
{
    public static Augmentation Identity { get; } = new(1f, 0f, 0f, 0f, false, 0f, 1f, 1f);

    public bool IsPhotometricIdentity => Brightness == 0f && Contrast == 1f && Saturation == 1f;

    /// <summary>Draws a random training augmentation.</summary>
    public static Augmentation Random(Random rng, float strength = 1f) => new(
        Scale: 1f + (((float)rng.NextDouble() * 0.25f) - 0.1f) * strength,
        ShiftX: ((float)rng.NextDouble() - 0.5f) * 0.12f * strength,
        ShiftY: ((float)rng.NextDouble() - 0.5f) * 0.12f * strength,
        RotationDegrees: ((float)rng.NextDouble() - 0.5f) * 20f * strength,
        Flip: rng.Next(2) == 1,
        Brightness: ((float)rng.NextDouble() - 0.5f) * 0.3f * strength,
        Contrast: 1f + ((float)rng.NextDouble() - 0.5f) * 0.4f * strength,
        Saturation: 1f + ((float)rng.NextDouble() - 0.5f) * 0.6f * strength);
}
