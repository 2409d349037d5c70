namespace FogLens.AgeModel.Data;

/// <summary>How faces are spread across simulated fogs.</summary>
public enum PartitionScheme
{
    /// <summary>Uniformly at random.</summary>
    Iid,

    /// <summary>Per age group, fog shares drawn from a Dirichlet(α) distribution (smaller α: more skew).</summary>
    Dirichlet,

    /// <summary>Sorted by age and cut into contiguous blocks: each fog sees mostly one age range.</summary>
    AgeSkew,

    /// <summary>Each race goes mostly (80 %) to one fog, the rest spread evenly.</summary>
    RaceSkew,
}

/// <summary>Splits labelled faces into per-fog lists (deterministic for a seed), for demos, tests and experiments.</summary>
public static class DatasetPartitioner
{
    /// <summary>Scheme names as the command lines spell them.</summary>
    public static IReadOnlyList<string> SchemeNames { get; } = ["iid", "dirichlet", "age-skew", "race-skew"];

    public static PartitionScheme ParseScheme(string name) => name switch
    {
        "iid" => PartitionScheme.Iid,
        "dirichlet" => PartitionScheme.Dirichlet,
        "age-skew" => PartitionScheme.AgeSkew,
        "race-skew" => PartitionScheme.RaceSkew,
        _ => throw new ArgumentException($"partition scheme must be iid, dirichlet, age-skew or race-skew, not '{name}'", nameof(name)),
    };

    public static string NameOf(PartitionScheme scheme) => SchemeNames[(int)scheme];

    public static IReadOnlyList<IReadOnlyList<FaceSample>> Partition(
        IReadOnlyList<FaceSample> samples, int fogs, PartitionScheme scheme, double alpha, int seed, AgeGroupSet groups)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentOutOfRangeException.ThrowIfLessThan(fogs, 1);
        var rng = new Random(seed);
        var parts = Enumerable.Range(0, fogs).Select(_ => new List<FaceSample>()).ToArray();
        var ordered = samples.OrderBy(s => s.FileName, StringComparer.Ordinal).ToArray();
        switch (scheme)
        {
            case PartitionScheme.Iid:
                rng.Shuffle(ordered);
                for (var i = 0; i < ordered.Length; i++)
                {
                    parts[i % fogs].Add(ordered[i]);
                }

                break;
            case PartitionScheme.Dirichlet:
                ArgumentOutOfRangeException.ThrowIfNegativeOrZero(alpha);
                foreach (var group in ordered.GroupBy(s => groups.IndexOf(LabelDistribution.Clamp(s.Label.Age))))
                {
                    var members = group.ToArray();
                    rng.Shuffle(members);
                    var shares = Dirichlet(rng, fogs, alpha);
                    var start = 0;
                    for (var f = 0; f < fogs; f++)
                    {
                        var end = f == fogs - 1 ? members.Length : Math.Min(members.Length, start + (int)Math.Round(shares[f] * members.Length));
                        parts[f].AddRange(members[start..end]);
                        start = end;
                    }
                }

                break;
            case PartitionScheme.AgeSkew:
                var byAge = ordered.OrderBy(s => s.Label.Age).ThenBy(_ => rng.Next()).ToArray();
                for (var i = 0; i < byAge.Length; i++)
                {
                    parts[(int)((long)i * fogs / byAge.Length)].Add(byAge[i]);
                }

                break;
            case PartitionScheme.RaceSkew:
                foreach (var sample in ordered)
                {
                    var home = sample.Label.Race % fogs;
                    parts[rng.NextDouble() < 0.8 ? home : rng.Next(fogs)].Add(sample);
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(scheme), scheme, "unknown partition scheme");
        }

        return parts;
    }

    /// <summary>Writes one file list per fog (names relative to the dataset folder) into <paramref name="outputDirectory"/>.</summary>
    public static IReadOnlyList<string> Write(IReadOnlyList<IReadOnlyList<FaceSample>> parts, string outputDirectory)
    {
        Directory.CreateDirectory(outputDirectory);
        var files = new List<string>();
        for (var f = 0; f < parts.Count; f++)
        {
            var path = Path.Combine(outputDirectory, $"fog-{f + 1}.txt");
            File.WriteAllLines(path, [$"# fog-{f + 1}: {parts[f].Count} faces", .. parts[f].Select(s => s.FileName)]);
            files.Add(path);
        }

        return files;
    }

    private static double[] Dirichlet(Random rng, int k, double alpha)
    {
        var draws = new double[k];
        for (var i = 0; i < k; i++)
        {
            draws[i] = Gamma(rng, alpha);
        }

        var sum = draws.Sum();
        return [.. draws.Select(d => d / sum)];
    }

    /// <summary>Marsaglia–Tsang gamma sampler (with the α &lt; 1 boost).</summary>
    private static double Gamma(Random rng, double alpha)
    {
        if (alpha < 1)
        {
            return Gamma(rng, alpha + 1) * Math.Pow(rng.NextDouble(), 1 / alpha);
        }

        var d = alpha - (1.0 / 3);
        var c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
                v = 1 + (c * x);
            }
            while (v <= 0);

            v = v * v * v;
            var u = rng.NextDouble();
            if (u < 1 - (0.0331 * x * x * x * x) || Math.Log(u) < (0.5 * x * x) + (d * (1 - v + Math.Log(v))))
            {
                return d * v;
            }
        }
    }
}
