namespace FogLens.Contracts;

/// <summary>Rules for node identifiers (edge, fog, camera ids) that appear in MQTT topics.</summary>
public static class NodeId
{
    /// <summary>Longest allowed identifier.</summary>
    public const int MaxLength = 64;

    /// <summary>
    /// True when <paramref name="id"/> is 1..64 characters of lower-case ASCII letters, digits,
    /// '-' or '_'. Such ids are safe as MQTT topic levels (no '/', '+', '#') and as file names.
    /// </summary>
    public static bool IsValid(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > MaxLength)
        {
            return false;
        }

        foreach (var c in id)
        {
            var ok = c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_';
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming <paramref name="paramName"/> when the id is invalid.</summary>
    public static string Require(string? id, string paramName)
    {
        if (!IsValid(id))
        {
            throw new ArgumentException(
                $"'{id}' is not a valid node id: use 1-{MaxLength} characters of a-z, 0-9, '-' or '_'.", paramName);
        }

        return id!;
    }
}
