using FogLens.Compression;

namespace FogLens.Federated.Tests;

public sealed class UpdateAccumulatorTests
{
    private static readonly TensorSpec[] Specs = [new("conv.weight", [4, 3]), new("bn.running_var", [4])];

    private static ModelState Global() => new(Specs, [[.. Enumerable.Range(0, 12).Select(i => i * 0.1f)], [1f, 1f, 0.5f, 2f]]);

    private static DecodedUpdate Dense(float[] conv, float[] variance) =>
        UpdateDecoder.Decode(UpdateCodecs.Create(CodecId.Dense).Encode([new UpdateTensor(Specs[0], conv), new UpdateTensor(Specs[1], variance)], null));

    [Fact]
    public void Result_IsSampleWeightedMean_PlusGlobal()
    {
        var acc = new UpdateAccumulator(Global(), new AggregationOptions());
        acc.Add(Dense([.. Enumerable.Repeat(1f, 12)], [0.1f, 0, 0, 0]), sampleCount: 300);
        acc.Add(Dense([.. Enumerable.Repeat(-1f, 12)], [0.5f, 0, 0, 0]), sampleCount: 100);
        var result = acc.Result();
        Assert.Equal(0.5f, result["conv.weight"][0], 1e-6f); // 0 + (300·1 − 100·1)/400
        Assert.Equal(1.6f, result["conv.weight"][11], 1e-6f);
        Assert.Equal(MathF.Exp(0.2f), result["bn.running_var"][0], 1e-6f); // variances in log space: 1 · e^((30 + 50)/400)
        Assert.Equal(0f, Global()["conv.weight"][0]); // the input state is not changed
        Assert.Equal(400, acc.SampleCount);
    }

    [Fact]
    public void SparseSbcUpdates_AddOnlyTheirPositions()
    {
        var update = new float[12];
        update[3] = 5f;
        update[7] = 4f;
        var payload = UpdateCodecs.Create(CodecId.Sbc, new CodecOptions { Sparsity = 2 / 12.0 }).Encode([new UpdateTensor(Specs[0], update), new UpdateTensor(Specs[1], new float[4])], new CodecState());
        var acc = new UpdateAccumulator(Global(), new AggregationOptions());
        acc.Add(UpdateDecoder.Decode(payload), 10);
        var conv = acc.Result()["conv.weight"];
        Assert.Equal(0.3f + 4.5f, conv[3], 1e-5f); // μ = mean of the kept positives
        Assert.Equal(0.7f + 4.5f, conv[7], 1e-5f);
        Assert.Equal(0.5f, conv[5], 1e-6f);
    }

    [Fact]
    public void LargeUpdates_AreClipped_HugeOnesRejected()
    {
        var acc = new UpdateAccumulator(Global(), new AggregationOptions { ClipNorm = 1, RejectNorm = 100 });
        var verdict = acc.Add(Dense([.. Enumerable.Repeat(2f, 12)], new float[4]), 1); // norm √48 ≈ 6.93
        Assert.Equal(1 / Math.Sqrt(48), verdict.ClipScale, 1e-6);
        Assert.Equal(0.1f * 1 + (float)(2 / Math.Sqrt(48)), acc.Result()["conv.weight"][1], 1e-5f);
        Assert.Throws<RejectedUpdateException>(() => acc.Add(Dense([.. Enumerable.Repeat(50f, 12)], new float[4]), 1));
        Assert.Equal(1, acc.Count);
    }

    [Fact]
    public void MismatchedTensors_AreRejected_BeforeAnythingIsAdded()
    {
        var acc = new UpdateAccumulator(Global(), new AggregationOptions());
        var other = UpdateDecoder.Decode(UpdateCodecs.Create(CodecId.Dense).Encode([new UpdateTensor(new TensorSpec("conv.weight", [3, 4]), new float[12]), new UpdateTensor(Specs[1], new float[4])], null));
        Assert.Throws<RejectedUpdateException>(() => acc.Add(other, 5));
        Assert.Throws<RejectedUpdateException>(() => acc.Add(Dense(new float[12], new float[4]), 0));
        Assert.Equal(0, acc.Count);
    }

    [Fact]
    public void RunningVariance_ChangesByAFactor_AndStaysPositive()
    {
        var acc = new UpdateAccumulator(Global(), new AggregationOptions());
        acc.Add(Dense(new float[12], [-5f, 0, MathF.Log(3f), 0]), 1);
        var variance = acc.Result()["bn.running_var"];
        Assert.Equal(MathF.Exp(-5f), variance[0], 1e-7f);
        Assert.Equal(1.5f, variance[2], 1e-5f); // 0.5 · 3
        Assert.Equal(2f, variance[3]);
    }

    [Fact]
    public void UpdateSpace_DeltaThenApply_RoundTrips_AndABinarisedVarianceUpdateCannotCollapseIt()
    {
        float[] before = [0.0045f, 0.3f, 2f];
        float[] after = [0.006f, 0.25f, 2.5f];
        var delta = new float[3];
        UpdateSpace.Delta("norm.running_var", before, after, delta);
        var applied = (float[])before.Clone();
        UpdateSpace.Apply("norm.running_var", applied, delta);
        Assert.Equal(after, applied, (a, b) => MathF.Abs(a - b) < 1e-6f);

        // SBC sends one mean per sign, so a small variance can receive a change sized for larger ones: in log
        // space that is a factor (here e^-0.5), where an additive −0.05 would have floored 0.0045 at 1e-5.
        var shrunk = (float[])before.Clone();
        UpdateSpace.Apply("norm.running_var", shrunk, [-0.5f, 0, 0]);
        Assert.Equal(0.0045f * MathF.Exp(-0.5f), shrunk[0], 1e-7f);

        var weights = new float[] { 1f, 2f };
        UpdateSpace.Apply("conv.weight", weights, [0.5f, -1f]);
        Assert.Equal([1.5f, 1f], weights);
    }

    [Theory]
    [InlineData(0, 1.0)]
    [InlineData(1, 0.7071)]
    [InlineData(3, 0.5)]
    [InlineData(5, 0.0)]
    public void StalenessWeight_DecaysAndCutsOff(long staleness, double expected) =>
        Assert.Equal(expected, new AggregationOptions { StalenessExponent = 0.5, MaxStaleness = 4 }.StalenessWeight(staleness), 4);

    [Fact]
    public void ClaimedSampleCounts_AreCapped_SoOneFogCannotBeTheWholeRound()
    {
        static float After(AggregationOptions options)
        {
            var acc = new UpdateAccumulator(Global(), options);
            acc.Add(Dense([.. Enumerable.Repeat(1f, 12)], new float[4]), sampleCount: 500);
            acc.Add(Dense([.. Enumerable.Repeat(-1f, 12)], new float[4]), sampleCount: int.MaxValue); // the attacker's claim
            return acc.Result()["conv.weight"][0];
        }

        Assert.Equal(-1f, After(new AggregationOptions { MaxSamplesPerUpdate = int.MaxValue }), 1e-3f); // uncapped: the claim wins
        Assert.Equal(0f, After(new AggregationOptions { MaxSamplesPerUpdate = 500 }), 1e-6f); // capped: equal weights
        Assert.Equal((500f - 10_000f) / 10_500f, After(new AggregationOptions()), 1e-5f); // the default cap, 10 000
    }

    [Theory]
    [InlineData(AggregationRule.TrimmedMean, 1.0333333f)]
    [InlineData(AggregationRule.Median, 1.0f)]
    public void RobustRules_IgnoreAMinorityOfArbitraryUpdates(AggregationRule rule, float expected)
    {
        var options = new AggregationOptions { Rule = rule, TrimFraction = 0.2, ClipNorm = 1e6, RejectNorm = 1e7 };
        var robust = new UpdateAccumulator(Global(), options);
        var plain = new UpdateAccumulator(Global(), options with { Rule = AggregationRule.FedAvg });
        foreach (var (value, samples) in new[] { (1f, 10), (1.1f, 10), (0.9f, 10), (1f, 10), (1000f, int.MaxValue) })
        {
            robust.Add(Dense([.. Enumerable.Repeat(value, 12)], new float[4]), samples);
            plain.Add(Dense([.. Enumerable.Repeat(value, 12)], new float[4]), samples);
        }

        Assert.Equal(expected, robust.Result()["conv.weight"][0], 1e-5f); // 0 + robust value; trimmed: mean of 1, 1, 1.1
        Assert.True(plain.Result()["conv.weight"][0] > 900); // FedAvg follows the attacker even with the cap (10 000 vs 40)
        Assert.Throws<ArgumentOutOfRangeException>(() => new UpdateAccumulator(Global(), new AggregationOptions { TrimFraction = 0.5 }));
    }

    [Fact]
    public void SampleCap_IsAMultipleOfTheRoundsMedianClaim_WithinTheAbsoluteCap()
    {
        var options = new AggregationOptions();
        // Nine sites of ~110 faces and one fog claiming int.MaxValue: the liar weighs at most 3 × 110.
        int[] claims = [104, 108, 110, 110, 111, 112, 115, 120, 99, int.MaxValue];
        Assert.Equal(331, options.SampleCap(claims)); // ⌊3 × 110.5⌋
        Assert.Equal(10_000, (options with { RelativeSampleCap = 0 }).SampleCap(claims));
        Assert.Equal(10_000, options.SampleCap([9_000, 9_500, 12_000])); // the absolute cap still applies
        Assert.Equal(10_000, options.SampleCap([])); // nothing to compare with
        Assert.Throws<ArgumentOutOfRangeException>(() => (options with { RelativeSampleCap = 0.5 }).Validate());
    }
}
