using System.Buffers;

namespace FogLens.Compression.Selection;

/// <summary>A growable float list on pooled arrays (a struct: pass by ref, dispose once).</summary>
internal struct PooledFloatList(int capacity) : IDisposable
{
    private float[] _items = ArrayPool<float>.Shared.Rent(Math.Max(16, capacity));

    public int Count { get; private set; }

    public void Add(float value)
    {
        if (Count == _items.Length)
        {
            var larger = ArrayPool<float>.Shared.Rent(_items.Length * 2);
            _items.AsSpan(0, Count).CopyTo(larger);
            ArrayPool<float>.Shared.Return(_items);
            _items = larger;
        }

        _items[Count++] = value;
    }

    public void Clear() => Count = 0;

    public readonly Span<float> AsSpan() => _items.AsSpan(0, Count);

    public void Dispose()
    {
        ArrayPool<float>.Shared.Return(_items);
        _items = [];
        Count = 0;
    }
}
