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

    /// <summary>Position of a key (a file name, possibly salted) in [0, 1), uniform over keys (XxHash64 of its UTF-8 bytes).</summary>
    public static double HashPosition(string key)
    {
        var hash = XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(key));
        return (hash >> 11) * (1.0 / (1UL << 53));
    }

    public static bool IsValidation(string fileName, double validationFraction = DefaultValidationFraction, string salt = "") =>
        HashPosition(salt + Path.GetFileName(fileName)) < validationFraction;

    /// <summary>
    /// Splits by hash. A <paramref name="salt"/> gives an independent split, e.g. a fog's local hold-out
    /// drawn from faces that are all on the training side of the unsalted split.
    /// </summary>
    public static (IReadOnlyList<FaceSample> Train, IReadOnlyList<FaceSample> Validation) Split(
        IEnumerable<FaceSample> samples, double validationFraction = DefaultValidationFraction, string salt = "")
    {
        var train = new List<FaceSample>();
        var validation = new List<FaceSample>();
        foreach (var s in samples)
        {
            (IsValidation(s.FileName, validationFraction, salt) ? validation : train).Add(s);
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
