namespace FogLens.AgeModel.Data;

/// <summary>Labels parsed from a UTKFace file name.</summary>
/// <param name="Age">Age in years, 0..116 as in the file name (not clamped).</param>
/// <param name="Gender">0 male, 1 female.</param>
/// <param name="Race">0 White, 1 Black, 2 Asian, 3 Indian, 4 Others.</param>
public sealed record UtkFaceLabel(int Age, int Gender, int Race)
{
    public static IReadOnlyList<string> GenderNames { get; } = ["male", "female"];

    public static IReadOnlyList<string> RaceNames { get; } = ["White", "Black", "Asian", "Indian", "Others"];
}
