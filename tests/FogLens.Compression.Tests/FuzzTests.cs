using FogLens.Compression;
using FogLens.Tests.Shared;

namespace FogLens.Compression.Tests;

public sealed class FuzzTests
{
    [Theory]
    [InlineData(CodecId.Sbc)]
    [InlineData(CodecId.TopK)]
    [InlineData(CodecId.Dense)]
    [InlineData(CodecId.SignSgd)]
    [InlineData(CodecId.Q8)]
    [InlineData(CodecId.Stc)]
    public void Decode_ThousandsOfMutatedPayloads_TypedErrorOrValidDecode_NoHugeAllocation(CodecId id)
    {
        var rng = new Random((int)id * 7919);
        var sources = Enumerable.Range(0, 4)
            .Select(_ => UpdateCodecs.Create(id, new CodecOptions { Sparsity = 0.05 }).Encode(RandomUpdates.Create(rng, rng.Next(1, 4), 800), null))
            .ToArray();
        var outcomes = new Dictionary<string, int>();
        for (var i = 0; i < 3000; i++)
        {
            var source = sources[i % sources.Length];
            var mutated = ByteMutations.Mutate(rng, source);
            // Half the time repair the CRC so the structural checks behind it are exercised.
            if (i % 2 == 0)
            {
                mutated = PayloadTampering.WithFixedCrc(mutated);
            }

            var before = GC.GetAllocatedBytesForCurrentThread();
            string outcome;
            try
            {
                var decoded = UpdateDecoder.Decode(mutated);
                Assert.All(decoded.Tensors, t => Assert.True(t.SentCount <= t.Spec.ElementCount));
                outcome = "decoded";
            }
            catch (CorruptUpdateException ex)
            {
                outcome = ex.Reason.ToString();
            }

            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated <= (40L * mutated.Length) + (256 * 1024), $"decode of a {mutated.Length}-byte payload allocated {allocated} bytes");
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        // The corpus must reach the structural checks, not only the checksum.
        Assert.True(outcomes.Count >= 3, string.Join(", ", outcomes.Select(kv => $"{kv.Key}={kv.Value}")));
        Assert.True(outcomes.GetValueOrDefault("ChecksumMismatch") < 3000);
    }
}
