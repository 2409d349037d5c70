namespace FogLens.Contracts;

/// <summary>
/// Remembers the last <c>capacity</c> message ids, for deduplicating at-least-once deliveries.
/// Thread-safe. Ids older than the window are forgotten in arrival order.
/// </summary>
public sealed class MessageIdWindow
{
    private readonly Lock _gate = new();
    private readonly HashSet<Guid> _seen;
    private readonly Queue<Guid> _order;
    private readonly int _capacity;

    public MessageIdWindow(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _seen = new HashSet<Guid>(capacity);
        _order = new Queue<Guid>(capacity);
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _seen.Count;
            }
        }
    }

    /// <summary>Returns true the first time an id is seen within the window, false for a duplicate.</summary>
    public bool TryAdd(Guid messageId)
    {
        lock (_gate)
        {
            if (!_seen.Add(messageId))
            {
                return false;
            }

            _order.Enqueue(messageId);
            if (_order.Count > _capacity)
            {
                _seen.Remove(_order.Dequeue());
            }

            return true;
        }
    }
}
