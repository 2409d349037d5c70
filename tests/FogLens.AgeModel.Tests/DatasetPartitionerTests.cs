using FogLens.AgeModel;
using FogLens.AgeModel.Data;

namespace FogLens.AgeModel.Tests;

public sealed class DatasetPartitionerTests
{
    private static readonly FaceSample[] Samples = [.. Enumerable.Range(0, 2000).Select(i =>
        new FaceSample($"/d/{i % 101}_{i % 2}_{i % 5}_2017{i:D10}.jpg.chip.jpg", new UtkFaceLabel(i % 101, i % 2, i % 5)))];

    [Theory]
    [InlineData(PartitionScheme.Iid)]
    [InlineData(PartitionScheme.Dirichlet)]
    [InlineData(PartitionScheme.AgeSkew)]
    [InlineData(PartitionScheme.RaceSkew)]
    public void Partition_AssignsEveryFaceExactlyOnce_AndIsDeterministic(PartitionScheme scheme)
    {
        var parts = DatasetPartitioner.Partition(Samples, 4, scheme, 0.3, seed: 5, AgeGroupSet.Default);
        var again = DatasetPartitioner.Partition(Samples, 4, scheme, 0.3, seed: 5, AgeGroupSet.Default);

        Assert.Equal(4, parts.Count);
        Assert.Equal(Samples.Select(s => s.FileName).Order(), parts.SelectMany(p => p).Select(s => s.FileName).Order());
        Assert.Equal(parts.Select(p => p.Select(s => s.FileName)), again.Select(p => p.Select(s => s.FileName)));
    }

    [Fact]
    public void AgeSkew_GivesEachFogAnAgeRange()
    {
        var parts = DatasetPartitioner.Partition(Samples, 4, PartitionScheme.AgeSkew, 0, 1, AgeGroupSet.Default);
        for (var f = 1; f < parts.Count; f++)
        {
            Assert.True(parts[f].Min(s => s.Label.Age) >= parts[f - 1].Max(s => s.Label.Age) - 1);
        }
    }

    [Fact]
    public void Dirichlet_SmallAlpha_IsMoreSkewedThanIid()
    {
        static double Skew(IReadOnlyList<IReadOnlyList<FaceSample>> parts) =>
            parts.Average(p => p.GroupBy(s => AgeGroupSet.Default.IndexOf(s.Label.Age)).Max(g => g.Count()) / (double)Math.Max(1, p.Count));
        var iid = DatasetPartitioner.Partition(Samples, 4, PartitionScheme.Iid, 0, 3, AgeGroupSet.Default);
        var skewed = DatasetPartitioner.Partition(Samples, 4, PartitionScheme.Dirichlet, 0.1, 3, AgeGroupSet.Default);
        Assert.True(Skew(skewed) > Skew(iid) + 0.1);
    }
}
