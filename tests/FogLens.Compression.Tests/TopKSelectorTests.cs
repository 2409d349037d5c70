using FogLens.Compression.Selection;

namespace FogLens.Compression.Tests;

public sealed class TopKSelectorTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Select_EqualsStableSortReference(int keyKind)
    {
        var kind = (SelectionKey)keyKind;
        for (var seed = 0; seed < 150; seed++)
        {
            var rng = new Random(seed);
            var segments = Enumerable.Range(0, rng.Next(1, 4)).Select(_ => Values(rng, rng.Next(0, seed % 5 == 0 ? 200_000 : 3000))).ToArray();
            var total = segments.Sum(s => (long)s.Length);
            var k = rng.Next(0, 3) switch { 0 => 1L, 1 => Math.Max(1, total / 100), _ => rng.NextInt64(1, Math.Max(2, total)) };

            var expected = Reference(segments, kind, k);
            var threshold = TopKSelector.Threshold([.. segments.Select(s => (ReadOnlyMemory<float>)s)], kind, k);
            var actual = new List<(int, int)>();
            var ties = threshold.TieQuota;
            for (var t = 0; t < segments.Length; t++)
            {
                var list = new PooledList<int>(16);
                TopKSelector.Collect(segments[t], kind, threshold.Tau, ref ties, ref list);
                actual.AddRange(list.AsSpan().ToArray().Select(i => (t, i)));
                list.Dispose();
            }

            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void SelectAscending_MatchesSort()
    {
        var rng = new Random(3);
        for (var trial = 0; trial < 200; trial++)
        {
            var values = Enumerable.Range(0, rng.Next(1, 500)).Select(_ => (float)rng.Next(0, 20)).ToArray();
            var rank = rng.Next(values.Length);
            var sorted = values.OrderBy(v => v).ToArray();
            Assert.Equal(sorted[rank], TopKSelector.SelectAscending(values.ToArray(), rank));
        }
    }

    private static float[] Values(Random rng, int n)
    {
        var values = new float[n];
        for (var i = 0; i < n; i++)
        {
            values[i] = rng.Next(10) switch
            {
                0 => 0f,
                1 => (float)rng.Next(-3, 4), // many exact ties
                _ => (float)RandomUpdates.Gaussian(rng),
            };
        }

        return values;
    }

    /// <summary>All eligible (segment, index) pairs sorted by key descending, then by position; first k, in position order.</summary>
    private static List<(int, int)> Reference(float[][] segments, SelectionKey kind, long k)
    {
        var all = new List<(float Key, int Segment, int Index)>();
        for (var t = 0; t < segments.Length; t++)
        {
            for (var i = 0; i < segments[t].Length; i++)
            {
                var key = TopKSelector.Key(segments[t][i], kind);
                if (key > 0)
                {
                    all.Add((key, t, i));
                }
            }
        }

        return [.. all.OrderByDescending(e => e.Key).ThenBy(e => e.Segment).ThenBy(e => e.Index)
            .Take((int)Math.Min(k, all.Count))
            .OrderBy(e => e.Segment).ThenBy(e => e.Index)
            .Select(e => (e.Segment, e.Index))];
    }
}
