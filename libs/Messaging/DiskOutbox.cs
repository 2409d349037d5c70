using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using System.Text;
using Microsoft.Extensions.Logging;

namespace FogLens.Messaging;

/// <summary>
/// A durable FIFO of MQTT messages on disk, so nothing is lost while the broker is unreachable or the
/// process restarts. One file per message ("{sequence:D19}.msg": magic, topic, flags, payload, CRC32),
/// written to a temporary name, flushed to disk and renamed (and the directory flushed), so a crash never
/// leaves half a message and a power loss never loses an acknowledged one.
/// When the total size would exceed the cap, the oldest messages are dropped (counted and logged).
/// Thread-safe.
/// </summary>
public sealed partial class DiskOutbox : IDisposable
{
    private const string Extension = ".msg";
    private static ReadOnlySpan<byte> Magic => "FLOB"u8;
    private readonly Lock _gate = new();
    private readonly SortedDictionary<long, long> _sizes = [];
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);
    private readonly ILogger _logger;
    private long _nextSequence;
    private long _bytes;

    public DiskOutbox(string directory, long maxBytes, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1024);
        Directory = directory;
        MaxBytes = maxBytes;
        _logger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        System.IO.Directory.CreateDirectory(directory);
        foreach (var tmp in System.IO.Directory.EnumerateFiles(directory, "*.tmp"))
        {
            File.Delete(tmp); // a write interrupted by a crash; its message was never acknowledged to the producer
        }

        foreach (var file in System.IO.Directory.EnumerateFiles(directory, "*" + Extension))
        {
            if (long.TryParse(Path.GetFileNameWithoutExtension(file), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
            {
                var size = new FileInfo(file).Length;
                _sizes[sequence] = size;
                _bytes += size;
                _nextSequence = Math.Max(_nextSequence, sequence + 1);
            }
        }

        if (_sizes.Count > 0)
        {
            LogRecovered(_sizes.Count, _bytes, directory);
            _signal.Release();
        }
    }

    public string Directory { get; }

    public long MaxBytes { get; }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _sizes.Count;
            }
        }
    }

    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Messages dropped because the outbox was full.</summary>
    public long Dropped { get; private set; }

    /// <summary>Message files found damaged on disk and discarded.</summary>
    public long Corrupt { get; private set; }

    /// <summary>Stores a message durably and returns its sequence number.</summary>
    public long Enqueue(string topic, ReadOnlySpan<byte> payload, bool retain = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        var topicBytes = Encoding.UTF8.GetBytes(topic);
        if (topicBytes.Length > ushort.MaxValue)
        {
            throw new ArgumentException("topic too long", nameof(topic));
        }

        var record = new byte[4 + 2 + topicBytes.Length + 1 + payload.Length + 4];
        Magic.CopyTo(record);
        BinaryPrimitives.WriteUInt16LittleEndian(record.AsSpan(4), (ushort)topicBytes.Length);
        topicBytes.CopyTo(record.AsSpan(6));
        record[6 + topicBytes.Length] = retain ? (byte)1 : (byte)0;
        payload.CopyTo(record.AsSpan(7 + topicBytes.Length));
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(record.Length - 4), Crc32.HashToUInt32(record.AsSpan(0, record.Length - 4)));
        if (record.Length > MaxBytes)
        {
            throw new ArgumentException($"message of {record.Length} bytes exceeds the outbox capacity of {MaxBytes}", nameof(payload));
        }

        lock (_gate)
        {
            while (_bytes + record.Length > MaxBytes && _sizes.Count > 0)
            {
                var oldest = _sizes.First();
                DeleteLocked(oldest.Key);
                Dropped++;
                LogDropped(oldest.Key, MaxBytes, Dropped);
            }

            var sequence = _nextSequence++;
            var path = PathOf(sequence);
            using (var stream = new FileStream(path + ".tmp", FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(record);
                stream.Flush(flushToDisk: true);
            }

            File.Move(path + ".tmp", path);
            DirectorySync.Flush(Directory); // the rename itself reaches the disk before the caller acknowledges anything
            _sizes[sequence] = record.Length;
            _bytes += record.Length;
            _signal.Release();
            return sequence;
        }
    }

    /// <summary>The oldest readable message, or null when empty. Damaged files are discarded and counted.</summary>
    public OutboxMessage? Peek()
    {
        lock (_gate)
        {
            while (_sizes.Count > 0)
            {
                var sequence = _sizes.First().Key;
                var message = Read(sequence);
                if (message is not null)
                {
                    return message;
                }

                DeleteLocked(sequence);
                Corrupt++;
            }

            return null;
        }
    }

    /// <summary>Removes a message after the broker acknowledged it.</summary>
    public void Remove(long sequence)
    {
        lock (_gate)
        {
            DeleteLocked(sequence);
        }
    }

    /// <summary>Waits until a message is enqueued (or returns at once if some are waiting).</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (Count > 0)
        {
            return;
        }

        await _signal.WaitAsync(timeout, cancellationToken);
    }

    public void Dispose() => _signal.Dispose();

    private OutboxMessage? Read(long sequence)
    {
        byte[] data;
        DateTimeOffset enqueued;
        try
        {
            var path = PathOf(sequence);
            data = File.ReadAllBytes(path);
            enqueued = File.GetLastWriteTimeUtc(path);
        }
        catch (IOException ex)
        {
            LogUnreadable(sequence, ex.Message);
            return null;
        }

        if (data.Length < 11 || !data.AsSpan(0, 4).SequenceEqual(Magic)
            || Crc32.HashToUInt32(data.AsSpan(0, data.Length - 4)) != BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(data.Length - 4)))
        {
            LogUnreadable(sequence, "damaged (bad magic or checksum)");
            return null;
        }

        var topicLength = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(4));
        if (7 + topicLength > data.Length - 4)
        {
            LogUnreadable(sequence, "damaged (topic length)");
            return null;
        }

        var topic = Encoding.UTF8.GetString(data, 6, topicLength);
        var retain = data[6 + topicLength] == 1;
        var payload = data.AsSpan(7 + topicLength, data.Length - 4 - 7 - topicLength).ToArray();
        return new OutboxMessage(sequence, topic, payload, retain, enqueued);
    }

    private void DeleteLocked(long sequence)
    {
        if (!_sizes.Remove(sequence, out var size))
        {
            return;
        }

        _bytes -= size;
        try
        {
            File.Delete(PathOf(sequence));
        }
        catch (IOException ex)
        {
            LogUnreadable(sequence, "could not delete: " + ex.Message);
        }
    }

    private string PathOf(long sequence) => Path.Combine(Directory, sequence.ToString("D19", CultureInfo.InvariantCulture) + Extension);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Outbox recovered {Count} messages ({Bytes} bytes) from {Directory}")]
    private partial void LogRecovered(int count, long bytes, string directory);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Outbox full ({MaxBytes} bytes): dropped oldest message {Sequence} ({Dropped} dropped so far)")]
    private partial void LogDropped(long sequence, long maxBytes, long dropped);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Outbox message {Sequence} discarded: {Problem}")]
    private partial void LogUnreadable(long sequence, string problem);
}
