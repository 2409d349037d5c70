using System.Globalization;

namespace FogLens.AgeModel;

/// <summary>
/// A partition of ages 0.. into contiguous groups. Group probabilities are sums of the label
/// distribution over each group's ages; a face is counted in the group its expected age falls in.
/// </summary>
public sealed class AgeGroupSet
{
    private readonly AgeGroup[] _groups;

    public AgeGroupSet(IEnumerable<AgeGroup> groups)
    {
        _groups = [.. groups];
        if (_groups.Length == 0)
        {
            throw new ArgumentException("at least one age group is needed", nameof(groups));
        }

        var expectedMin = 0;
        for (var i = 0; i < _groups.Length; i++)
        {
            var g = _groups[i];
            if (g.MinAge != expectedMin)
            {
                throw new ArgumentException($"age group '{g.Label}' starts at {g.MinAge}, expected {expectedMin}: groups must be contiguous from 0", nameof(groups));
            }

            if (g.MaxAge is { } max)
            {
                if (max < g.MinAge)
                {
                    throw new ArgumentException($"age group '{g.Label}' ends before it starts", nameof(groups));
                }

                expectedMin = max + 1;
            }
            else if (i != _groups.Length - 1)
            {
                throw new ArgumentException($"only the last age group may be open-ended ('{g.Label}' is not last)", nameof(groups));
            }
        }

        if (_groups[^1].MaxAge is not null)
        {
            throw new ArgumentException("the last age group must be open-ended (e.g. '70+')", nameof(groups));
        }
    }

    /// <summary>0-2, 3-9, 10-19, 20-29, 30-39, 40-49, 50-59, 60-69, 70+.</summary>
    public static AgeGroupSet Default { get; } = Parse("0-2,3-9,10-19,20-29,30-39,40-49,50-59,60-69,70+");

    public IReadOnlyList<AgeGroup> Groups => _groups;

    public int Count => _groups.Length;

    /// <summary>Parses "0-2,3-9,...,70+".</summary>
    public static AgeGroupSet Parse(string spec)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(spec);
        var groups = new List<AgeGroup>();
        foreach (var raw in spec.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (raw.EndsWith('+') && int.TryParse(raw[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var open))
            {
                groups.Add(new AgeGroup(raw, open, null));
                continue;
            }

            var dash = raw.IndexOf('-', StringComparison.Ordinal);
            if (dash <= 0
                || !int.TryParse(raw[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var min)
                || !int.TryParse(raw[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var max))
            {
                throw new FormatException($"'{raw}' is not an age group; use 'MIN-MAX' or 'MIN+'");
            }

            groups.Add(new AgeGroup(raw, min, max));
        }

        return new AgeGroupSet(groups);
    }

    /// <summary>Index of the group containing <paramref name="age"/> (ages below 0 go to the first group).</summary>
    public int IndexOf(double age)
    {
        for (var i = 0; i < _groups.Length - 1; i++)
        {
            if (age < _groups[i].MaxAge!.Value + 1)
            {
                return i;
            }
        }

        return _groups.Length - 1;
    }

    /// <summary>Sums a distribution over ages 0..N-1 into group probabilities.</summary>
    public void GroupProbabilities(ReadOnlySpan<float> ageDistribution, Span<float> destination)
    {
        if (destination.Length != _groups.Length)
        {
            throw new ArgumentException($"destination must hold {_groups.Length} values", nameof(destination));
        }

        destination.Clear();
        for (var age = 0; age < ageDistribution.Length; age++)
        {
            destination[IndexOf(age)] += ageDistribution[age];
        }
    }

    public override string ToString() => string.Join(',', _groups.Select(g => g.Label));
}
