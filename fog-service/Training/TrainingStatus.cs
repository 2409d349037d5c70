namespace FogLens.FogService.Training;

/// <summary>
/// What the federated client is doing and has done, written by <see cref="FederatedClient"/> and read by the
/// fog's snapshot (cloud status, /metrics, /api/status). Thread-safe: single writer, readers see whole values.
/// </summary>
public sealed class TrainingStatus
{
    private long _completed;
    private long _failed;
    private long _repeated;
    private int _lastUpdateBytes;
    private int _localSamples;
    private volatile bool _training;

    public long RoundsCompleted => Interlocked.Read(ref _completed);

    public long RoundsFailed => Interlocked.Read(ref _failed);

    /// <summary>Tasks received again for a round this fog already answered (not trained twice).</summary>
    public long RoundsRepeated => Interlocked.Read(ref _repeated);

    public int LastUpdateBytes => Volatile.Read(ref _lastUpdateBytes);

    public int LocalSamples => Volatile.Read(ref _localSamples);

    public bool Training => _training;

    internal void Started() => _training = true;

    internal void Stopped() => _training = false;

    internal void Completed(int updateBytes, int localSamples)
    {
        Volatile.Write(ref _lastUpdateBytes, updateBytes);
        Volatile.Write(ref _localSamples, localSamples);
        Interlocked.Increment(ref _completed);
    }

    internal void Failed() => Interlocked.Increment(ref _failed);

    internal void Repeated() => Interlocked.Increment(ref _repeated);

    internal void HasSamples(int localSamples) => Volatile.Write(ref _localSamples, localSamples);
}
