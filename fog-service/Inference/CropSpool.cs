using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using System.Text;
using System.Threading.Channels;
using FogLens.Contracts.Serialization;
using FogLens.FogService.Demographics;
using FogLens.Messaging;
using Microsoft.Extensions.Options;
using FogLens.FogService.Common;

namespace FogLens.FogService.Inference;

/// <summary>
/// The durable queue between MQTT receipt and inference. Accepted crop frames are appended to segment files
/// ("spool-N.seg": length, CRC32, topic, frame per record) and a crop is acknowledged to its edge only after the
/// flush to disk that covers it; appends that arrive while a flush runs share the next one (group commit), so
/// durability costs one disk flush per burst, not per crop. A crop leaves the spool when its face is in the
/// <see cref="ObservationJournal"/>; a segment file is deleted when all its crops have. At start the segments
/// are replayed: crops whose ids the journal already holds are skipped, the rest are inferred again; a record
/// torn by a crash (never acknowledged) ends its segment. When Fog:QueueCapacity crops wait, receipt waits too,
/// which holds back PUBACKs and so slows the edges (back-pressure) instead of dropping crops.
/// </summary>
public sealed partial class CropSpool : IDisposable
{
    private const string Extension = ".seg";
    private const long SegmentBytes = 64L * 1024 * 1024;
    private readonly string _folder;
    private readonly int _capacity;
    private readonly MessageParser _parser = new();
    private readonly Channel<CropWork> _ready = Channel.CreateUnbounded<CropWork>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<long, int> _outstanding = [];
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _space = new(0, int.MaxValue);
    private readonly ILogger<CropSpool> _logger;
    private List<(CropWork Work, TaskCompletionSource Durable)> _pending = [];
    private Task _flushing = Task.CompletedTask;
    private Segment _segment;
    private long _segmentId;
    private int _count;

    public CropSpool(IOptions<FogOptions> options, WindowLedger ledger, ILogger<CropSpool> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(ledger);
        _folder = Path.Combine(options.Value.DataDirectory, "crop-spool");
        _capacity = options.Value.QueueCapacity;
        _logger = logger;
        Directory.CreateDirectory(_folder);
        Recover([.. ledger.SeenAtStart]);
        _segmentId++;
        _segment = NewSegment(_segmentId);
    }

    /// <summary>Crops waiting for inference (recovered ones included).</summary>
    public int Depth => Volatile.Read(ref _count);

    /// <summary>Crop ids recovered from the spool at start (the intake's deduplication seeds from them).</summary>
    public IReadOnlyList<Guid> RecoveredIds { get; private set; } = [];

    /// <summary>
    /// Stores a crop frame the intake has validated (<paramref name="work"/> is that frame, parsed); completes
    /// once it is on disk. Waits while the spool is full.
    /// </summary>
    public async ValueTask EnqueueAsync(string topic, ReadOnlyMemory<byte> frame, CropWork work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        while (Volatile.Read(ref _count) >= _capacity)
        {
            await _space.WaitAsync(TimeSpan.FromMilliseconds(50), cancellationToken);
        }

        var record = Record(topic, frame.Span);
        var durable = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_segment.Length + record.Length > SegmentBytes)
            {
                Rotate();
            }

            RandomAccess.Write(_segment.Handle, record, _segment.Length);
            _segment.Length += record.Length;
            _outstanding[_segmentId] = _outstanding.GetValueOrDefault(_segmentId) + 1;
            _count++;
            _pending.Add((work with { Sequence = _segmentId }, durable));
            if (_flushing.IsCompleted)
            {
                _flushing = Task.Run(FlushLoop, CancellationToken.None); // a flush in progress always finishes
            }
        }

        await durable.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Crops waiting (oldest first), up to <paramref name="max"/>; waits up to <paramref name="fill"/> for a batch to fill once one crop is there.</summary>
    public async Task<IReadOnlyList<CropWork>> ReadBatchAsync(int max, TimeSpan fill, CancellationToken cancellationToken)
    {
        var batch = new List<CropWork> { await _ready.Reader.ReadAsync(cancellationToken) };
        using var filling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        filling.CancelAfter(fill);
        while (batch.Count < max)
        {
            if (_ready.Reader.TryRead(out var more))
            {
                batch.Add(more);
                continue;
            }

            try
            {
                if (!await _ready.Reader.WaitToReadAsync(filling.Token))
                {
                    break;
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                break;
            }
        }

        return batch;
    }

    /// <summary>Releases crops whose faces are journaled (or that could not be decoded); deletes finished segments.</summary>
    public void Complete(IEnumerable<CropWork> done)
    {
        ArgumentNullException.ThrowIfNull(done);
        lock (_gate)
        {
            foreach (var work in done)
            {
                if (work.Sequence is not { } segment || !_outstanding.TryGetValue(segment, out var left))
                {
                    continue;
                }

                _count--;
                _outstanding[segment] = --left;
                if (left == 0 && segment != _segmentId)
                {
                    _outstanding.Remove(segment);
                    File.Delete(PathOf(segment));
                }

                _space.Release();
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _segment.Retire();
        }

        _space.Dispose();
    }

    /// <summary>
    /// Flushes the segment to disk outside the lock, so appends go on meanwhile and share the next flush (group
    /// commit); each flush completes the appends it covers.
    /// </summary>
    private void FlushLoop()
    {
        while (true)
        {
            List<(CropWork Work, TaskCompletionSource Durable)> batch;
            Segment segment;
            lock (_gate)
            {
                if (_pending.Count == 0)
                {
                    return;
                }

                batch = _pending;
                _pending = [];
                segment = _segment;
                segment.Users++;
            }

            try
            {
                RandomAccess.FlushToDisk(segment.Handle);
            }
            catch (IOException ex)
            {
                LogFlushFailed(ex.Message);
                Complete(batch.Select(b => b.Work)); // not acknowledged: the edge keeps each crop and resends it
                foreach (var (_, durable) in batch)
                {
                    durable.TrySetException(ex);
                }

                continue;
            }
            finally
            {
                lock (_gate)
                {
                    segment.Users--;
                    segment.CloseIfDone();
                }
            }

            foreach (var (work, durable) in batch)
            {
                _ready.Writer.TryWrite(work);
                durable.TrySetResult();
            }
        }
    }

    private void Rotate()
    {
        RandomAccess.FlushToDisk(_segment.Handle); // covers the pending appends of the old segment
        _segment.Retire();
        if (_outstanding.GetValueOrDefault(_segmentId) == 0)
        {
            _outstanding.Remove(_segmentId);
            File.Delete(PathOf(_segmentId));
        }

        _segmentId++;
        _segment = NewSegment(_segmentId);
    }

    private Segment NewSegment(long id)
    {
        var handle = File.OpenHandle(PathOf(id), FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        DirectorySync.Flush(_folder); // the new file's name is durable before any crop in it is acknowledged
        return new Segment(handle);
    }

    /// <summary>An open segment file; closed once retired and no flush is using it.</summary>
    private sealed class Segment(Microsoft.Win32.SafeHandles.SafeFileHandle handle)
    {
        private bool _retired;

        public Microsoft.Win32.SafeHandles.SafeFileHandle Handle { get; } = handle;

        public long Length { get; set; }

        public int Users { get; set; }

        public void Retire()
        {
            _retired = true;
            CloseIfDone();
        }

        public void CloseIfDone()
        {
            if (_retired && Users == 0)
            {
                Handle.Dispose();
            }
        }
    }

    private void Recover(HashSet<Guid> journaled)
    {
        var recovered = new List<Guid>();
        var known = new HashSet<Guid>(journaled);
        var segments = Directory.EnumerateFiles(_folder, "spool-*" + Extension)
            .Select(f => (Path: f, Id: long.TryParse(Path.GetFileNameWithoutExtension(f)[6..], NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : -1))
            .Where(s => s.Id >= 0).OrderBy(s => s.Id).ToList();
        foreach (var (path, id) in segments)
        {
            _segmentId = Math.Max(_segmentId, id);
            var data = File.ReadAllBytes(path);
            var offset = 0;
            var kept = 0;
            while (TryReadRecord(data, ref offset, out var topic, out var frame))
            {
                var crop = _parser.ParseFaceCrop(topic, frame);
                if (!crop.IsSuccess || !known.Add(crop.Value.Metadata.Header.MessageId))
                {
                    continue;
                }

                var work = CropWork.From(crop.Value) with { Sequence = id };
                _ready.Writer.TryWrite(work);
                recovered.Add(work.MessageId);
                kept++;
            }

            if (kept == 0)
            {
                File.Delete(path);
            }
            else
            {
                _outstanding[id] = kept;
                _count += kept;
            }
        }

        RecoveredIds = recovered;
        if (recovered.Count > 0)
        {
            LogRecovered(recovered.Count, _folder);
        }
    }

    private static byte[] Record(string topic, ReadOnlySpan<byte> frame)
    {
        var topicBytes = Encoding.UTF8.GetBytes(topic);
        var record = new byte[8 + 2 + topicBytes.Length + frame.Length];
        BinaryPrimitives.WriteInt32LittleEndian(record, record.Length - 8);
        BinaryPrimitives.WriteUInt16LittleEndian(record.AsSpan(8), (ushort)topicBytes.Length);
        topicBytes.CopyTo(record.AsSpan(10));
        frame.CopyTo(record.AsSpan(10 + topicBytes.Length));
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(4), Crc32.HashToUInt32(record.AsSpan(8)));
        return record;
    }

    private static bool TryReadRecord(byte[] data, ref int offset, out string topic, out ReadOnlyMemory<byte> frame)
    {
        topic = string.Empty;
        frame = default;
        if (offset + 10 > data.Length)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(offset));
        if (length < 2 || offset + 8L + length > data.Length
            || Crc32.HashToUInt32(data.AsSpan(offset + 8, length)) != BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(offset + 4)))
        {
            return false; // torn by a crash: never acknowledged
        }

        var topicLength = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(offset + 8));
        if (topicLength > length - 2)
        {
            return false;
        }

        topic = Encoding.UTF8.GetString(data, offset + 10, topicLength);
        frame = data.AsMemory(offset + 10 + topicLength, length - 2 - topicLength);
        offset += 8 + length;
        return true;
    }

    private string PathOf(long id) => Path.Combine(_folder, $"spool-{id.ToString("D10", CultureInfo.InvariantCulture)}{Extension}");

    [LoggerMessage(EventId = 3204, Level = LogLevel.Error, Message = "Crop spool flush failed; the crops are not acknowledged and their edges resend them: {Error}")]
    private partial void LogFlushFailed(string error);

    [LoggerMessage(EventId = 3203, Level = LogLevel.Warning, Message = "Recovered {Count} crops not yet counted from {Folder} (the fog stopped before inferring them); inferring them now")]
    private partial void LogRecovered(int count, string folder);
}
