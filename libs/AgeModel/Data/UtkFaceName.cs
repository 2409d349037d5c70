using System.Globalization;

namespace FogLens.AgeModel.Data;

/// <summary>Parses UTKFace names <c>AGE_GENDER_RACE_DATETIME.jpg.chip.jpg</c>; never guesses a missing field.</summary>
public static class UtkFaceName
{
    /// <summary>Oldest age UTKFace contains.</summary>
    public const int MaxLabelAge = 116;

    /// <summary>Returns the label, or null with <paramref name="problem"/> saying what is wrong with the name.</summary>
    public static UtkFaceLabel? TryParse(string fileName, out string? problem)
    {
        var name = Path.GetFileName(fileName);
        if (!name.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase))
        {
            problem = "not a .jpg file";
            return null;
        }

        var stem = name[..name.IndexOf('.', StringComparison.Ordinal)];
        var fields = stem.Split('_');
        if (fields.Length != 4)
        {
            problem = $"expected 4 fields AGE_GENDER_RACE_DATETIME, found {fields.Length}";
            return null;
        }

        if (!TryField(fields[0], 0, MaxLabelAge, out var age))
        {
            problem = $"age '{fields[0]}' is not an integer in 0..{MaxLabelAge}";
            return null;
        }

        if (!TryField(fields[1], 0, 1, out var gender))
        {
            problem = $"gender '{fields[1]}' is not 0 or 1";
            return null;
        }

        if (!TryField(fields[2], 0, 4, out var race))
        {
            problem = $"race '{fields[2]}' is not an integer in 0..4";
            return null;
        }

        if (fields[3].Length < 8 || !fields[3].All(char.IsAsciiDigit))
        {
            problem = $"date-time '{fields[3]}' is not a digit string";
            return null;
        }

        problem = null;
        return new UtkFaceLabel(age, gender, race);
    }

    private static bool TryField(string text, int min, int max, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;
}
