using System.Buffers;

namespace FogLens.Compression.Wire;

/// <summary>
/// Appends bits least-significant-first into a pooled, growing byte buffer. Return the buffer with
/// <see cref="Dispose"/>.
/// </summary>
internal sealed class BitWriter : IDisposable
{
    private byte[] _buffer;
    private int _length;
    private ulong _accumulator;
    private int _bits;

    public BitWriter(int initialCapacity = 1024)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(16, initialCapacity));
    }

    /// <summary>Bits written so far (including those not yet flushed to bytes).</summary>
    public long BitCount => ((long)_length * 8) + _bits;

    /// <summary>Writes the low <paramref name="count"/> bits of <paramref name="value"/> (count ≤ 56).</summary>
    public void WriteBits(ulong value, int count)
    {
        if (count == 0)
        {
            return;
        }

        _accumulator |= (value & ((1UL << count) - 1)) << _bits;
        _bits += count;
        while (_bits >= 8)
        {
            EnsureCapacity(1);
            _buffer[_length++] = (byte)_accumulator;
            _accumulator >>= 8;
            _bits -= 8;
        }
    }

    /// <summary>Writes <paramref name="q"/> one-bits followed by a zero-bit.</summary>
    public void WriteUnary(long q)
    {
        while (q >= 32)
        {
            WriteBits(0xFFFF_FFFFUL, 32);
            q -= 32;
        }

        WriteBits((1UL << (int)q) - 1, (int)q + 1);
    }

    /// <summary>Pads to a whole byte with zero-bits and returns the bytes written.</summary>
    public ReadOnlySpan<byte> Complete()
    {
        if (_bits > 0)
        {
            EnsureCapacity(1);
            _buffer[_length++] = (byte)_accumulator;
            _accumulator = 0;
            _bits = 0;
        }

        return _buffer.AsSpan(0, _length);
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    private void EnsureCapacity(int extra)
    {
        if (_length + extra <= _buffer.Length)
        {
            return;
        }

        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + extra));
        _buffer.AsSpan(0, _length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
