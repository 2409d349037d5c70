namespace FogLens.FogService.Inference;

/// <summary>
/// Faces per second over the last <see cref="Span"/>, read from the clock at each read: when no crop comes in
/// (a source ended, every edge is down) the rate falls to zero instead of keeping its last value. Thread-safe.
/// </summary>
public sealed class FaceRate(TimeProvider time)
{
    /// <summary>Length of the window the rate is measured over.</summary>
    public static readonly TimeSpan Span = TimeSpan.FromSeconds(10);

    private const int Slots = 10;
    private readonly Lock _lock = new();
    private readonly long[] _counts = new long[Slots];
    private readonly long[] _seconds = new long[Slots];
    private readonly DateTimeOffset _started = time.GetUtcNow();

    public void Add(int faces)
    {
        var second = Second(time.GetUtcNow());
        lock (_lock)
        {
            var slot = (int)(second % Slots);
            if (_seconds[slot] != second)
            {
                (_seconds[slot], _counts[slot]) = (second, 0);
            }

            _counts[slot] += faces;
        }
    }

    public double PerSecond
    {
        get
        {
            var now = time.GetUtcNow();
            var current = Second(now);
            long sum = 0;
            lock (_lock)
            {
                for (var i = 0; i < Slots; i++)
                {
                    if (_seconds[i] > current - Slots && _seconds[i] <= current)
                    {
                        sum += _counts[i];
                    }
                }
            }

            // Just after start the window is shorter than Span: divide by the time actually covered.
            var covered = Math.Clamp((now - _started).TotalSeconds, 1, Slots);
            return sum / covered;
        }
    }

    private static long Second(DateTimeOffset t) => t.ToUnixTimeSeconds();
}
