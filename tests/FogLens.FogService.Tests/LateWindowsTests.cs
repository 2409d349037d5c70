using FogLens.Contracts;
using FogLens.FogService.Cloud;
using FogLens.Messaging;

namespace FogLens.FogService.Tests;

/// <summary>
/// A window that waited out an outage in the cloud outbox goes on the fog's late topic (the portal stores it after the
/// live ones); a fresh window and every other message keep their topic. The wait is measured from the outbox file.
/// </summary>
public sealed class LateWindowsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("foglens-late-").FullName;

    [Fact]
    public void Route_SendsWindowsThatWaitedLateAfterOnTheLateTopic_OnlyThem()
    {
        using var outbox = new DiskOutbox(_folder, 1 << 20);
        outbox.Enqueue(Topics.FogDemographics("fog-a"), "{}"u8);
        outbox.Enqueue(Topics.FogStatus("fog-a"), "{}"u8, retain: true);
        var window = outbox.Peek()!;
        Assert.InRange(window.Enqueued, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddSeconds(1)); // the file's time
        outbox.Remove(window.Sequence);
        var status = outbox.Peek()!;
        var clock = new ManualClock(window.Enqueued);
        var route = LateWindows.Route("fog-a", TimeSpan.FromMinutes(1), clock);

        clock.Now = window.Enqueued.AddSeconds(59);
        Assert.Equal(Topics.FogDemographics("fog-a"), route(window));
        clock.Now = window.Enqueued.AddMinutes(1);
        Assert.Equal(Topics.FogLateDemographics("fog-a"), route(window));
        clock.Now = status.Enqueued.AddHours(3);
        Assert.Equal(Topics.FogStatus("fog-a"), route(status));
        Assert.Equal(Topics.FogDemographics("fog-b"), route(window with { Topic = Topics.FogDemographics("fog-b") })); // not this fog's: untouched
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
