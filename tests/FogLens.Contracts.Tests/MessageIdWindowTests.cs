using FogLens.Contracts;

namespace FogLens.Contracts.Tests;

public sealed class MessageIdWindowTests
{
    [Fact]
    public void TryAdd_Duplicate_ReturnsFalse()
    {
        var window = new MessageIdWindow(10);
        var id = Guid.NewGuid();
        Assert.True(window.TryAdd(id));
        Assert.False(window.TryAdd(id));
    }

    [Fact]
    public void TryAdd_BeyondCapacity_ForgetsOldestFirst()
    {
        var window = new MessageIdWindow(3);
        var ids = Enumerable.Range(0, 4).Select(_ => Guid.NewGuid()).ToArray();
        foreach (var id in ids)
        {
            Assert.True(window.TryAdd(id));
        }

        Assert.Equal(3, window.Count);
        Assert.False(window.TryAdd(ids[3]));
        Assert.True(window.TryAdd(ids[0]));
    }

    [Fact]
    public void TryAdd_Concurrent_AcceptsEachIdOnce()
    {
        var window = new MessageIdWindow(100_000);
        var ids = Enumerable.Range(0, 20_000).Select(_ => Guid.NewGuid()).ToArray();
        var accepted = 0;
        Parallel.For(0, 4, _ =>
        {
            foreach (var id in ids)
            {
                if (window.TryAdd(id))
                {
                    Interlocked.Increment(ref accepted);
                }
            }
        });
        Assert.Equal(ids.Length, accepted);
    }

    [Fact]
    public void HeaderFactory_SequenceIsMonotonicAndIdsUnique()
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var factory = new MessageHeaderFactory("edge-1", clock);
        var headers = Enumerable.Range(0, 1000).Select(_ => factory.Next()).ToArray();
        for (var i = 1; i < headers.Length; i++)
        {
            Assert.True(headers[i].Sequence > headers[i - 1].Sequence);
        }

        Assert.Equal(headers.Length, headers.Select(h => h.MessageId).Distinct().Count());
        // A restart one second later continues above everything sent before it.
        clock.Now += TimeSpan.FromSeconds(1);
        var restarted = new MessageHeaderFactory("edge-1", clock);
        Assert.True(restarted.Next().Sequence > headers[^1].Sequence);
    }
}

internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}
