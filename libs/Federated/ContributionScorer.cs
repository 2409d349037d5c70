using FogLens.Compression;

namespace FogLens.Federated;

/// <summary>
/// Scores each update of a round for the contribution ledger. Credit = nᵢ · aᵢ · fᵢ, where nᵢ is the weight the round
/// gave the update (accepted samples × staleness weight); aᵢ = clamp(cᵢ / median(c), 0, 1) its agreement, with
/// cᵢ = cos(ΔWᵢ, R₋ᵢ) its alignment with the other updates; and fᵢ = min(1, 2·m/‖ΔWᵢ‖)² with m the round's median
/// update norm, so an update far longer than its peers (scaled, or noise) earns almost nothing. Agreement is relative
/// to the round's median alignment and capped at 1 because an honest update's cosine is limited by its sampling noise,
/// which shrinks with its data: raw cosine would count a fog's data twice (measured: twice the data, 2.45× the credit).
/// The reference R₋ᵢ = Σⱼ≠ᵢ n′ⱼ·fⱼ·ΔWⱼ/‖ΔWⱼ‖ is the <em>other</em> updates' directions (leave-one-out: an update is
/// never compared with itself, so a fog with more data earns no extra alignment by dominating the reference), each
/// weighted by its samples capped at twice the round's median (n′) and by its norm factor, so neither a long update
/// nor an inflated sample claim can swing the reference that everybody else is measured against.
/// Rewards are thus proportional to data that pointed where the rest of the federation went: an honest fog with twice
/// the data earns about twice the credit, an update pointing away from the others (sign flipped) none, and random
/// noise, orthogonal to everything in millions of dimensions, about none. A leave-one-out validation gain would
/// measure merit more directly but costs one evaluation per fog per round and is noisy on small evaluation sets;
/// alignment needs no data at the portal and two passes over the decoded updates.
/// Limits: sample counts are the fogs' own claims (capped by what their status reported); with binarised sparse
/// updates (SBC) a fog whose binarisation chose the other sign than most of the round shares no positions with them
/// and earns little that round, so per-round credit is noisy and only the cumulative credit is fair.
/// A lone update has nothing to be compared with: its alignment is taken as 1.
/// </summary>
public sealed class ContributionScorer
{
    private readonly IReadOnlyList<TensorSpec> _specs;
    private readonly List<Entry> _entries = [];

    public ContributionScorer(IReadOnlyList<TensorSpec> specs)
    {
        ArgumentNullException.ThrowIfNull(specs);
        _specs = specs;
    }

    /// <summary>Updates added.</summary>
    public int Count => _entries.Count;

    /// <summary>Adds an update the round used.</summary>
    /// <param name="contributor">The fog.</param>
    /// <param name="update">The decoded update (sparse stays sparse).</param>
    /// <param name="weight">Accepted samples × staleness weight.</param>
    public void Add(string contributor, DecodedUpdate update, double weight)
    {
        ArgumentException.ThrowIfNullOrEmpty(contributor);
        ArgumentNullException.ThrowIfNull(update);
        if (!(weight >= 0 && double.IsFinite(weight)))
        {
            throw new ArgumentOutOfRangeException(nameof(weight), $"weight {weight} must be finite and non-negative");
        }

        if (update.Tensors.Count != _specs.Count || update.Tensors.Where((t, i) => !t.Spec.Matches(_specs[i])).Any())
        {
            throw new ArgumentException("the update does not match the model's tensors", nameof(update));
        }

        _entries.Add(new Entry(contributor, update, weight, update.Norm()));
    }

    /// <summary>The scores, in the order the updates were added.</summary>
    public IReadOnlyList<ContributionScore> Scores()
    {
        if (_entries.Count == 0)
        {
            return [];
        }

        var medianNorm = VectorMath.Median(_entries.Select(e => e.Norm));
        var weightCap = 2 * VectorMath.Median(_entries.Select(e => e.Weight));
        var factors = _entries.Select(e => e.Norm <= 2 * medianNorm ? 1 : Math.Pow(2 * medianNorm / e.Norm, 2)).ToArray();
        var scales = _entries.Select((e, j) => e.Norm > 0 ? (float)(Math.Min(e.Weight, weightCap) * factors[j] / e.Norm) : 0f).ToArray();
        var sum = _specs.Select(s => new float[checked((int)s.ElementCount)]).ToArray();
        for (var j = 0; j < _entries.Count; j++)
        {
            for (var t = 0; t < sum.Length; t++)
            {
                _entries[j].Update.Tensors[t].AddTo(sum[t], scales[j]);
            }
        }

        var others = sum.Select(s => new float[s.Length]).ToArray();
        var alignments = new double[_entries.Count];
        for (var j = 0; j < _entries.Count; j++)
        {
            var e = _entries[j];
            double dot = 0;
            for (var t = 0; t < sum.Length; t++)
            {
                sum[t].CopyTo(others[t], 0);
                e.Update.Tensors[t].AddTo(others[t], -scales[j]);
                dot += e.Update.Tensors[t].Dot(others[t]);
            }

            var othersSquared = VectorMath.SquaredNorm(others);

            alignments[j] = _entries.Count == 1 ? 1
                : e.Norm > 0 && othersSquared > 0 ? Math.Clamp(dot / (e.Norm * Math.Sqrt(othersSquared)), -1, 1)
                : 0;
        }

        var typical = VectorMath.Median(alignments);
        return [.. _entries.Select((e, j) =>
        {
            var agreement = typical > 0 ? Math.Clamp(alignments[j] / typical, 0, 1) : alignments[j] > 0 ? 1 : 0;
            return new ContributionScore(e.Contributor, e.Weight, alignments[j], agreement, factors[j], e.Weight * agreement * factors[j]);
        })];
    }

    private sealed record Entry(string Contributor, DecodedUpdate Update, double Weight, double Norm);
}
