using System.IO.Hashing;
using System.Text;

namespace FogLens.AgeModel.Data;

/// <summary>
/// Deterministic train/validation split by a hash of the file name: the same file is always on the
/// same side, whatever the folder, order or machine, and adding files never moves existing ones.
/// </summary>
public static class DatasetSplit
{
    /// <summary>Default share of the data held out for validation.</summary>
    public const double DefaultValidationFraction = 0.15;

    /// <summary>Position of a file name in [0, 1), uniform over names (XxHash64 of the UTF-8 name).</summary>
    public static double HashPosition(string fileName)
    {
        var hash = XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(Path.GetFileName(fileName)));
        return (hash >> 11) * (1.0 / (1UL << 53));
    }

    public static bool IsValidation(string fileName, double validationFraction = DefaultValidationFraction) =>
        HashPosition(fileName) < validationFraction;

    public static (IReadOnlyList<FaceSample> Train, IReadOnlyList<FaceSample> Validation) Split(
        IEnumerable<FaceSample> samples, double validationFraction = DefaultValidationFraction)
    {
        var train = new List<FaceSample>();
        var validation = new List<FaceSample>();
        foreach (var s in samples)
        {
            (IsValidation(s.FileName, validationFraction) ? validation : train).Add(s);
        }

        return (train, validation);
    }

    /// <summary>
    /// A fixed, deterministic subset of <paramref name="count"/> samples (the lowest hash positions
    /// under a second salt), for short evaluations in tests.
    /// </summary>
    public static IReadOnlyList<FaceSample> FixedSubset(IEnumerable<FaceSample> samples, int count) =>
        [.. samples.OrderBy(s => HashPosition("subset/" + s.FileName)).Take(count)];
}
