using FogLens.AgeModel;

namespace FogLens.PipelineEval;

/// <summary>The comparison's rules, without I/O.</summary>
public static class ModelComparison
{
    /// <summary>z of a two-sided 95 % normal interval.</summary>
    public const double Z95 = 1.959964;

    /// <summary>
    /// Compares the model at <paramref name="index"/> of each track's <see cref="TrackResult.OtherPredictedAges"/>
    /// with the track's <see cref="TrackResult.PredictedAge"/>; false tracks and tracks either model could not age are left out.
    /// </summary>
    public static ComparedModel Compare(
        string model, string path, int index, IReadOnlyList<int> sizes, IReadOnlyList<TrackResult> tracks, AgeGroupSet groups, double alignedMae, double alignedSigned)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        ArgumentNullException.ThrowIfNull(tracks);
        ArgumentNullException.ThrowIfNull(groups);
        var pairs = new List<(int Size, int Age, double Baseline, double Other)>();
        foreach (var track in tracks)
        {
            if (track.TrueAge is { } age && track.PredictedAge is { } baseline
                && index < track.OtherPredictedAges.Count && track.OtherPredictedAges[index] is { } other)
            {
                pairs.Add((track.Size, age, baseline, other));
            }
        }

        var perSize = sizes.Select(s => Paired(s, [.. pairs.Where(p => p.Size == s).Select(p => (p.Age, p.Baseline, p.Other))])).ToList();
        perSize.Add(Paired(null, [.. pairs.Select(p => (p.Age, p.Baseline, p.Other))]));
        var perGroup = new List<GroupComparison>(groups.Count);
        for (var g = 0; g < groups.Count; g++)
        {
            var inGroup = pairs.Where(p => groups.IndexOf(p.Age) == g).ToList();
            perGroup.Add(new GroupComparison(
                groups.Groups[g].Label,
                inGroup.Count,
                inGroup.Count == 0 ? null : inGroup.Average(p => p.Other - p.Age),
                inGroup.Count == 0 ? null : inGroup.Average(p => p.Baseline - p.Age)));
        }

        return new ComparedModel(model, path, perSize, perGroup, alignedMae, alignedSigned);
    }

    /// <summary>Paired metrics of (true age, first model's estimate, compared model's estimate) triples.</summary>
    public static PairedMetrics Paired(int? size, IReadOnlyList<(int Age, double Baseline, double Other)> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var n = pairs.Count;
        if (n == 0)
        {
            return new PairedMetrics(size, 0, null, null, null, null, null, null, null, null);
        }

        var differences = pairs.Select(p => Math.Abs(p.Other - p.Age) - Math.Abs(p.Baseline - p.Age)).ToList();
        var mean = differences.Average();
        var halfWidth = n < 2 ? double.NaN : Z95 * Math.Sqrt(differences.Sum(d => (d - mean) * (d - mean)) / (n - 1) / n);
        return new PairedMetrics(
            size,
            n,
            pairs.Average(p => Math.Abs(p.Other - p.Age)),
            pairs.Average(p => Math.Abs(p.Baseline - p.Age)),
            pairs.Count(p => Math.Abs(p.Other - p.Age) <= 5) / (double)n,
            pairs.Count(p => Math.Abs(p.Baseline - p.Age) <= 5) / (double)n,
            pairs.Average(p => p.Other - p.Age),
            mean,
            n < 2 ? null : mean - halfWidth,
            n < 2 ? null : mean + halfWidth);
    }
}
