using FogLens.AgeModel;
using FogLens.Contracts;
using FogLens.Contracts.Messages;
using FogLens.Contracts.Serialization;
using FogLens.FogService.Demographics;
using FogLens.Messaging;
using Microsoft.Extensions.Logging.Abstractions;
using FogLens.FogService.Common;

namespace FogLens.FogService.Tests;

/// <summary>
/// Crash safety of the demographics windows (security issue #14, item 8), without a host: a "crash" is
/// dropping the objects at a chosen point and starting new ones on the same files, as a restarted fog does.
/// </summary>
public sealed class WindowLedgerTests : IDisposable
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly string _folder = Directory.CreateTempSubdirectory("foglens-ledger-").FullName;
    private readonly MessageParser _parser = new();
    private readonly List<FogDemographics> _sent = [];

    private string Journal => Path.Combine(_folder, "demographics.journal");

    [Fact]
    public void FacesCountedButNotClosed_AreSentAfterACrash_Once()
    {
        var start = new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
        var faces = Faces(start, 7);
        using (var outbox = Outbox())
        {
            var ledger = Ledger(outbox);
            ledger.Record(faces);
            Assert.Equal(0, outbox.Count); // the window is still open: the process is killed here
        }

        using var restarted = Outbox();
        using var recovered = Ledger(restarted);
        var sent = Sent(restarted);
        Assert.Equal(7, sent.Sum(w => w.Faces));
        Assert.Equal(faces.Select(f => f.MessageId).Order(), recovered.SeenAtStart.Order());

        // A second restart finds nothing more to send.
        using var again = Ledger(restarted);
        Assert.Equal(7, Sent(restarted).Sum(w => w.Faces));
    }

    [Fact]
    public void CrashBetweenOutboxAndMark_ResendsTheSameMessageId()
    {
        var start = new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
        using var outbox = Outbox();
        using (var ledger = Ledger(outbox))
        {
            ledger.Record(Faces(start, 5));
            Assert.Single(ledger.CloseWindows(start + Window + Window, all: false));
        }

        // The window reached the outbox, but the crash came before its "closed" line reached the journal.
        var lines = File.ReadAllLines(Journal);
        Assert.StartsWith("c\t", lines[^1], StringComparison.Ordinal);
        File.WriteAllLines(Journal, lines[..^1]);

        using var recovered = Ledger(outbox);
        var sent = Sent(outbox);
        Assert.Equal(2, sent.Count);
        Assert.Equal(sent[0].Header.MessageId, sent[1].Header.MessageId); // the portal stores it once
        Assert.Equal(sent[0].Faces, sent[1].Faces);
    }

    [Fact]
    public void TornLastLine_IsIgnored_AndTheJournalGoesOn()
    {
        var start = new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
        using var outbox = Outbox();
        using (var ledger = Ledger(outbox))
        {
            ledger.Record(Faces(start, 3));
        }

        File.AppendAllText(Journal, "o\t1234\tedge-1\tcam"); // a write cut by the crash
        using (var ledger = Ledger(outbox))
        {
            Assert.Equal(3, Sent(outbox).Sum(w => w.Faces));
            ledger.Record(Faces(start.AddMinutes(5), 2));
        }

        using var third = Ledger(outbox);
        Assert.Equal(5, Sent(outbox).Sum(w => w.Faces));
    }

    [Fact]
    public void Compaction_KeepsOpenFacesAndRecentIds()
    {
        using var outbox = Outbox(64L * 1024 * 1024);
        var start = new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero);
        var all = new List<Guid>();
        using (var ledger = Ledger(outbox))
        {
            var compacted = false;
            for (var m = 0; m < 1000 && !compacted; m++)
            {
                var batch = Faces(start.AddMinutes(m), 500);
                all.AddRange(batch.Select(f => f.MessageId));
                ledger.Record(batch);
                var before = ObservationJournalBytes();
                ledger.CloseWindows(start.AddMinutes(m) + Window + Window, all: false);
                compacted = ObservationJournalBytes() < before;
            }

            Assert.True(compacted, "the journal was compacted");
            ledger.Record(Faces(start.AddDays(1), 4)); // open when the fog dies
        }

        var sentBefore = Sent(outbox).Sum(w => w.Faces);
        using var recovered = Ledger(outbox);
        Assert.Equal(sentBefore + 4, Sent(outbox).Sum(w => w.Faces));
        Assert.Subset(recovered.SeenAtStart.ToHashSet(), all.TakeLast(1000).ToHashSet());
    }

    [Fact]
    public async Task SpooledCrops_SurviveACrash_ExceptThoseAlreadyCounted()
    {
        var ct = TestContext.Current.CancellationToken;
        var options = Microsoft.Extensions.Options.Options.Create(new FogOptions { FogId = "fog-t", DataDirectory = _folder, QueueCapacity = 100 });
        var headers = new MessageHeaderFactory("edge-1");
        var crops = Enumerable.Range(0, 5).Select(_ =>
        {
            var at = DateTimeOffset.UtcNow;
            var metadata = new FaceCropMetadata(headers.Next(), "cam-1", 1, at, at, at, new FaceBox(10, 10, 50, 50), 640, 480, 0.9f, 100f, "blazeface");
            byte[] jpeg = [0xFF, 0xD8, 0xFF, 0xD9];
            var work = new FogLens.FogService.Inference.CropWork("edge-1", "cam-1", at, metadata.Header.MessageId, jpeg);
            return (Id: metadata.Header.MessageId, Frame: BinaryFrame.Encode(BinaryFrameKind.FaceCrop, metadata, jpeg), Work: work);
        }).ToList();

        using (var outbox = Outbox())
        using (var ledger = Ledger(outbox))
        {
            var spool = new FogLens.FogService.Inference.CropSpool(options, ledger, NullLogger<FogLens.FogService.Inference.CropSpool>.Instance);
            foreach (var crop in crops)
            {
                await spool.EnqueueAsync(Topics.EdgeFaces("edge-1"), crop.Frame, crop.Work, ct); // returns once on disk: the PUBACK may go
            }

            var counted = await spool.ReadBatchAsync(2, TimeSpan.FromMilliseconds(10), ct);
            ledger.Record([.. counted.Select(w => new Observation(w.MessageId, w.EdgeId, w.CameraId, w.CapturedAt, 30, "age-v1"))]);
            spool.Dispose(); // killed before the spool heard that those two are counted
        }

        var segment = Directory.GetFiles(Path.Combine(_folder, "crop-spool")).Single();
        File.AppendAllText(segment, "torn"); // a record cut by the crash

        using var restartedOutbox = Outbox();
        using var restartedLedger = Ledger(restartedOutbox);
        using var restarted = new FogLens.FogService.Inference.CropSpool(options, restartedLedger, NullLogger<FogLens.FogService.Inference.CropSpool>.Instance);
        Assert.Equal(3, restarted.Depth);
        Assert.Equal(crops.Skip(2).Select(c => c.Id), restarted.RecoveredIds);
        Assert.Equal(2, Sent(restartedOutbox).Sum(w => w.Faces)); // the two counted ones, sent by the ledger's recovery
        var again = await restarted.ReadBatchAsync(10, TimeSpan.FromMilliseconds(10), ct);
        Assert.Equal(crops.Skip(2).Select(c => c.Id), again.Select(w => w.MessageId));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private long ObservationJournalBytes() => new FileInfo(Journal).Length;

    private DiskOutbox Outbox(long maxBytes = 16 * 1024 * 1024) => new(Path.Combine(_folder, "cloud-outbox"), maxBytes);

    private WindowLedger Ledger(DiskOutbox outbox) =>
        new(Journal, "fog-t", new DemographicsAggregator(AgeGroupSet.Default, Window, TimeSpan.FromSeconds(10), new MessageHeaderFactory("fog-t")), outbox, () => { }, NullLogger.Instance);

    private static List<Observation> Faces(DateTimeOffset start, int count) =>
        [.. Enumerable.Range(0, count).Select(i => new Observation(Guid.NewGuid(), "edge-1", "cam-1", start.AddSeconds(i % 60), 20 + (i % 50), "age-v1"))];

    /// <summary>Every window the ledgers of this test have put in the outbox so far (drained as a cloud link would).</summary>
    private List<FogDemographics> Sent(DiskOutbox outbox)
    {
        while (outbox.Peek() is { } message)
        {
            var window = _parser.ParseFogDemographics(message.Topic, message.Payload);
            _sent.Add(window.IsSuccess ? window.Value : throw new InvalidOperationException(window.Error.ToString()));
            outbox.Remove(message.Sequence);
        }

        return _sent;
    }
}
