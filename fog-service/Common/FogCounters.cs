namespace FogLens.FogService.Common;

/// <summary>Counters of the fog service (thread-safe), reported in the retained fog status and /api/status.</summary>
public sealed class FogCounters
{
    private long _cropsReceived;
    private long _cropsInferred;
    private long _cropsRejected;
    private long _duplicates;
    private long _corruptImages;
    private long _edgeMessagesRejected;
    private long _windowsPublished;
    private long _cropsWithoutFlip;

    public long CropsReceived => Interlocked.Read(ref _cropsReceived);

    public long CropsInferred => Interlocked.Read(ref _cropsInferred);

    /// <summary>Crops whose frame or metadata failed validation.</summary>
    public long CropsRejected => Interlocked.Read(ref _cropsRejected);

    /// <summary>Redelivered crops (same message id) counted once.</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>Crops whose JPEG could not be decoded.</summary>
    public long CorruptImages => Interlocked.Read(ref _corruptImages);

    /// <summary>Publishes the embedded broker refused (foreign topic, oversized, unknown client).</summary>
    public long EdgeMessagesRejected => Interlocked.Read(ref _edgeMessagesRejected);

    public long WindowsPublished => Interlocked.Read(ref _windowsPublished);

    public void CropReceived() => Interlocked.Increment(ref _cropsReceived);

    public void CropsInferredAdd(int n) => Interlocked.Add(ref _cropsInferred, n);

    /// <summary>Crops estimated without flip test-time augmentation because the fog was behind (Fog:FlipAverage on).</summary>
    public long CropsWithoutFlip => Interlocked.Read(ref _cropsWithoutFlip);

    public void CropsWithoutFlipAdd(int n) => Interlocked.Add(ref _cropsWithoutFlip, n);

    public void CropRejected() => Interlocked.Increment(ref _cropsRejected);

    public void Duplicate() => Interlocked.Increment(ref _duplicates);

    public void CorruptImage() => Interlocked.Increment(ref _corruptImages);

    public void EdgeMessageRejected() => Interlocked.Increment(ref _edgeMessagesRejected);

    public void WindowPublished() => Interlocked.Increment(ref _windowsPublished);
}
