namespace FogLens.Federated;

/// <summary>
/// Rényi-DP accountant for the rounds of DP-FedAvg (<see cref="AggregationOptions.NoiseMultiplier"/>). One round adds
/// Gaussian noise of standard deviation z·S to a sum whose sensitivity to one fog is S (every update clipped to S and
/// weighted 1), so it is (α, α / (2z²))-RDP for every order α > 1 (Mironov 2017); rounds compose by adding their RDP;
/// (ε, δ) follows from ε = min over α of [ RDP(α) + ln(1/δ) / (α − 1) ]. Conservative on purpose: no amplification by
/// subsampling is claimed (the coordinator picks participants, not a Poisson sample), and a round without noise
/// is not covered at all. The guarantee is about what the released models reveal about any one fog's participation
/// (its whole local data set) to everyone who sees them; the portal itself sees each clipped update in the clear
/// (central DP with a trusted aggregator).
/// </summary>
public static class PrivacyAccountant
{
    private static readonly double[] Orders = [.. Enumerable.Range(0, 400).Select(i => 1 + Math.Pow(10, -2 + (i * 6.0 / 399)))]; // 1.01 … 10,001

    /// <summary>ε after rounds with these noise multipliers (each above 0), at <paramref name="delta"/>; 0 for no rounds.</summary>
    public static double Epsilon(IEnumerable<double> noiseMultipliers, double delta) =>
        Cumulative(noiseMultipliers, delta) is { Count: > 0 } epsilons ? epsilons[^1] : 0;

    /// <summary>
    /// ε after each of the rounds in turn (one pass: the rounds' RDP adds up, so the account after round k extends the
    /// one after round k − 1).
    /// </summary>
    public static IReadOnlyList<double> Cumulative(IEnumerable<double> noiseMultipliers, double delta)
    {
        ArgumentNullException.ThrowIfNull(noiseMultipliers);
        if (!(delta > 0 && delta < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(delta), delta, "must be in (0, 1)");
        }

        var rdpPerAlpha = 0.0; // Σ 1 / (2 z²): RDP(α) = α · this
        var epsilons = new List<double>();
        foreach (var z in noiseMultipliers)
        {
            if (!(z > 0 && double.IsFinite(z)))
            {
                throw new ArgumentOutOfRangeException(nameof(noiseMultipliers), z, "every noise multiplier must be positive and finite");
            }

            rdpPerAlpha += 1 / (2 * z * z);
            epsilons.Add(Orders.Min(alpha => (alpha * rdpPerAlpha) + (Math.Log(1 / delta) / (alpha - 1))));
        }

        return epsilons;
    }

    /// <summary>ε after <paramref name="rounds"/> rounds at noise multiplier <paramref name="noiseMultiplier"/>.</summary>
    public static double Epsilon(double noiseMultiplier, int rounds, double delta) =>
        Epsilon(Enumerable.Repeat(noiseMultiplier, Math.Max(0, rounds)), delta);

    /// <summary>The smallest noise multiplier (to 0.1 %) that keeps <paramref name="rounds"/> rounds within <paramref name="epsilon"/>.</summary>
    public static double NoiseMultiplierFor(double epsilon, int rounds, double delta)
    {
        if (!(epsilon > 0) || rounds < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), "epsilon must be positive and rounds at least 1");
        }

        double low = 1e-3, high = 1e4;
        while (high / low > 1.001)
        {
            var mid = Math.Sqrt(low * high);
            (low, high) = Epsilon(mid, rounds, delta) > epsilon ? (mid, high) : (low, mid);
        }

        return high;
    }
}
