using System.Buffers;

namespace FogLens.Compression.Selection;

/// <summary>A growable list on pooled arrays (a struct: pass by ref, dispose once).</summary>
internal struct PooledList<T>(int capacity) : IDisposable
    where T : unmanaged
{
    private T[] _items = ArrayPool<T>.Shared.Rent(Math.Max(16, capacity));

    public int Count { get; private set; }

    public void Add(T value)
    {
        if (Count == _items.Length)
        {
            var larger = ArrayPool<T>.Shared.Rent(_items.Length * 2);
            _items.AsSpan(0, Count).CopyTo(larger);
            ArrayPool<T>.Shared.Return(_items);
            _items = larger;
        }

        _items[Count++] = value;
    }

    public void Clear() => Count = 0;

    public readonly Span<T> AsSpan() => _items.AsSpan(0, Count);

    public void Dispose()
    {
        ArrayPool<T>.Shared.Return(_items);
        _items = [];
        Count = 0;
    }
}
