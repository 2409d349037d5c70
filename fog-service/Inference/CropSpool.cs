using FogLens.Contracts.Serialization;
using FogLens.Messaging;
using Microsoft.Extensions.Options;

namespace FogLens.FogService.Inference;

/// <summary>
/// The durable queue between MQTT receipt and inference: each accepted crop is written to disk (file flushed,
/// renamed, directory flushed) before the edge's PUBACK, and leaves the spool only after its face is in the
/// <see cref="Demographics.ObservationJournal"/>. So an edge deletes a crop only once the fog cannot lose it,
/// and a fog crash (SIGKILL, power loss) resumes from the spool. When Fog:QueueCapacity crops wait, receipt
/// waits too, which holds back the PUBACKs and so slows the edges (back-pressure) instead of dropping crops.
/// </summary>
public sealed class CropSpool : IDisposable
{
    private readonly DiskOutbox _files;
    private readonly MessageParser _parser = new();
    private readonly int _capacity;

    public CropSpool(IOptions<FogOptions> options, ILogger<CropSpool> logger)
    {
        var fog = options.Value;
        _capacity = fog.QueueCapacity;
        _files = new DiskOutbox(Path.Combine(fog.DataDirectory, "crop-spool"), ((long)fog.QueueCapacity + 1) * 1024 * 1024, logger);
    }

    public int Depth => _files.Count;

    /// <summary>Stores a validated crop frame durably; waits while the spool is full.</summary>
    public async ValueTask EnqueueAsync(string topic, ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        while (_files.Count >= _capacity)
        {
            await Task.Delay(10, cancellationToken);
        }

        _files.Enqueue(topic, frame.Span);
    }

    /// <summary>Crops waiting (oldest first), up to <paramref name="max"/>; waits up to <paramref name="fill"/> for a batch to fill once one crop is there.</summary>
    public async Task<IReadOnlyList<CropWork>> ReadBatchAsync(int max, TimeSpan fill, CancellationToken cancellationToken)
    {
        while (_files.Count == 0)
        {
            await _files.WaitAsync(TimeSpan.FromSeconds(1), cancellationToken);
        }

        if (_files.Count < max)
        {
            try
            {
                await Task.Delay(fill, cancellationToken);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
        }

        return Snapshot(max);
    }

    /// <summary>The oldest <paramref name="max"/> crops without waiting (also used at start to seed deduplication).</summary>
    public IReadOnlyList<CropWork> Snapshot(int max)
    {
        var batch = new List<CropWork>();
        foreach (var message in _files.PeekBatch(max))
        {
            var crop = _parser.ParseFaceCrop(message.Topic, message.Payload);
            if (!crop.IsSuccess)
            {
                _files.Remove(message.Sequence); // validated on receipt; only a damaged file gets here
                continue;
            }

            var m = crop.Value.Metadata;
            batch.Add(new CropWork(m.Header.SenderId, m.CameraId, m.CapturedAt, m.Header.MessageId, crop.Value.Payload) { Sequence = message.Sequence });
        }

        return batch;
    }

    /// <summary>Removes crops whose faces are journaled (or that could not be decoded).</summary>
    public void Complete(IEnumerable<CropWork> done)
    {
        ArgumentNullException.ThrowIfNull(done);
        foreach (var work in done)
        {
            if (work.Sequence is { } sequence)
            {
                _files.Remove(sequence);
            }
        }
    }

    public void Dispose() => _files.Dispose();
}
