using FogLens.Compression;

namespace FogLens.Federated.Tests;

/// <summary>
/// Contribution credit on synthetic rounds shaped like real ones: each honest update is a shared descent direction
/// plus noise that shrinks with the fog's data (an average over n samples: σ ∝ 1/√n).
/// </summary>
public sealed class ContributionScorerTests
{
    private static readonly TensorSpec[] Specs = [new("conv.weight", [200, 100]), new("fc.bias", [50])];

    private static float[][] Direction(int seed, double scale)
    {
        var rng = new Random(seed);
        return [.. Specs.Select(s => Enumerable.Range(0, (int)s.ElementCount).Select(_ => (float)(Gaussian(rng) * scale)).ToArray())];
    }

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    private static float[][] Honest(float[][] shared, int seed, int samples)
    {
        var noise = Direction(seed, 1.5 * Math.Sqrt(100.0 / samples) * 1e-3);
        return [.. shared.Select((t, i) => t.Select((v, j) => v + noise[i][j]).ToArray())];
    }

    private static DecodedUpdate Encode(float[][] update, CodecId codec = CodecId.Dense) =>
        UpdateDecoder.Decode(UpdateCodecs.Create(codec, new CodecOptions { Sparsity = 0.05 }).Encode([.. Specs.Select((s, i) => new UpdateTensor(s, update[i]))], new CodecState()));

    /// <summary>
    /// The setting: nine honest fogs (fog0 with twice the data) and one attacker, cumulative credit over 20
    /// rounds. Per round, a binarised SBC update credits only positions it sent with the sign it chose, so a fog whose
    /// binarisation picked the other sign than most of the round earns little that round (disjoint supports are
    /// orthogonal); summed over rounds the credit is fair, which is what the ledger shows.
    /// </summary>
    [Theory]
    [InlineData(CodecId.Dense, "scale")]
    [InlineData(CodecId.Dense, "signflip")]
    [InlineData(CodecId.Dense, "claim-samples")]
    [InlineData(CodecId.Dense, "noise")]
    [InlineData(CodecId.Sbc, "scale")]
    [InlineData(CodecId.Sbc, "signflip")]
    [InlineData(CodecId.Sbc, "claim-samples")]
    [InlineData(CodecId.Sbc, "noise")]
    public void TwiceTheData_EarnsAboutTwiceTheCredit_AndAnAttackerAlmostNothing(CodecId codec, string attack)
    {
        var total = new Dictionary<string, double>();
        for (var round = 0; round < 20; round++)
        {
            var shared = Direction(1000 + round, 1e-3);
            var scorer = new ContributionScorer(Specs);
            scorer.Add("fog0", Encode(Honest(shared, 100 * round, 200), codec), 200);
            for (var i = 1; i <= 8; i++)
            {
                scorer.Add($"fog{i}", Encode(Honest(shared, (100 * round) + i, 100), codec), 100);
            }

            var honest = Honest(shared, (100 * round) + 50, 100);
            var rms = Math.Sqrt(honest.Sum(t => t.Sum(v => (double)v * v)) / honest.Sum(t => t.Length));
            var (update, weight) = attack switch
            {
                "scale" => (Scaled(honest, 50), 100),
                "signflip" => (Scaled(honest, -4), 100),
                "claim-samples" => (Scaled(honest, -1), 10_000), // claims int.MaxValue, capped by the aggregation
                _ => (Direction((100 * round) + 60, 10 * rms), 100),
            };
            scorer.Add(attack, Encode(update, codec), weight);
            foreach (var s in scorer.Scores())
            {
                total[s.Contributor] = total.GetValueOrDefault(s.Contributor) + s.Credit;
            }
        }

        var typical = Enumerable.Range(1, 8).Select(i => total[$"fog{i}"]).Order().ElementAt(4);
        Assert.InRange(total["fog0"] / typical, 2 * 0.8, 2 * 1.2);
        Assert.True(total[attack] <= 0.05 * typical, $"{attack}: credit {total[attack]:F2} vs an honest fog's {typical:F2}");
    }

    private static float[][] Scaled(float[][] update, float factor) => [.. update.Select(t => t.Select(v => v * factor).ToArray())];

    [Fact]
    public void ALoneUpdate_IsCreditedItsWeight_AndTheRoundsOwnUpdateIsNotItsReference()
    {
        var update = Encode(Direction(5, 1e-3));
        var lone = new ContributionScorer(Specs);
        lone.Add("fog-a", update, 120);
        Assert.Equal(new ContributionScore("fog-a", 120, 1, 1, 1, 120), lone.Scores().Single());

        // Two unrelated updates: each one's reference is the other, so alignment is about 0, not about 1 (as it would
        // be if a big update were compared with a sum it dominates).
        var two = new ContributionScorer(Specs);
        two.Add("big", update, 10_000);
        two.Add("small", Encode(Direction(6, 1e-3)), 10);
        Assert.All(two.Scores(), s => Assert.InRange(s.Alignment, -0.05, 0.05));
    }

    [Fact]
    public void Add_RefusesAWrongShape_AndABadWeight()
    {
        var scorer = new ContributionScorer(Specs);
        var other = UpdateDecoder.Decode(UpdateCodecs.Create(CodecId.Dense).Encode([new UpdateTensor(new TensorSpec("x", [3]), new float[3])], null));
        Assert.Throws<ArgumentException>(() => scorer.Add("fog", other, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => scorer.Add("fog", Encode(Direction(1, 1)), double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => scorer.Add("fog", Encode(Direction(1, 1)), -1));
        Assert.Empty(scorer.Scores());
    }
}
