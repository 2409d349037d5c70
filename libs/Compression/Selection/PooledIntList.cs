using System.Buffers;

namespace FogLens.Compression.Selection;

/// <summary>A growable int list on pooled arrays (a struct: pass by ref, dispose once).</summary>
internal struct PooledIntList(int capacity) : IDisposable
{
    private int[] _items = ArrayPool<int>.Shared.Rent(Math.Max(16, capacity));

    public int Count { get; private set; }

    public void Add(int value)
    {
        if (Count == _items.Length)
        {
            var larger = ArrayPool<int>.Shared.Rent(_items.Length * 2);
            _items.AsSpan(0, Count).CopyTo(larger);
            ArrayPool<int>.Shared.Return(_items);
            _items = larger;
        }

        _items[Count++] = value;
    }

    public void Clear() => Count = 0;

    public readonly Span<int> AsSpan() => _items.AsSpan(0, Count);

    public void Dispose()
    {
        ArrayPool<int>.Shared.Return(_items);
        _items = [];
        Count = 0;
    }
}
