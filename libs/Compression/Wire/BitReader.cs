using System.Numerics;

namespace FogLens.Compression.Wire;

/// <summary>Reads bits written by <see cref="BitWriter"/>; running past the end throws <see cref="CorruptUpdateException"/>.</summary>
internal ref struct BitReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;
    private ulong _buffer;
    private int _bits;

    public BitReader(ReadOnlySpan<byte> data)
    {
        _data = data;
    }

    /// <summary>Whole bytes touched so far (the last one possibly in part).</summary>
    public readonly int BytesConsumed => _position - (_bits / 8);

    /// <summary>True when every unread bit left in the current byte is zero (the encoder's padding).</summary>
    public readonly bool PaddingIsZero => (_buffer & ((1UL << (_bits % 8)) - 1)) == 0;

    public ulong ReadBits(int count)
    {
        if (count == 0)
        {
            return 0;
        }

        if (_bits < count)
        {
            Refill();
            if (_bits < count)
            {
                throw new CorruptUpdateException(CorruptUpdateReason.Truncated, "bitstream ends inside a value");
            }
        }

        var value = _buffer & ((1UL << count) - 1);
        _buffer >>= count;
        _bits -= count;
        return value;
    }

    /// <summary>Reads a unary number (ones ended by a zero); longer than <paramref name="max"/> is corrupt.</summary>
    public long ReadUnary(long max)
    {
        long q = 0;
        while (true)
        {
            if (_bits == 0)
            {
                Refill();
                if (_bits == 0)
                {
                    throw new CorruptUpdateException(CorruptUpdateReason.Truncated, "bitstream ends inside a unary code");
                }
            }

            var ones = Math.Min(BitOperations.TrailingZeroCount(~_buffer), _bits);
            if (ones < _bits)
            {
                q += ones;
                // ones + 1 can be 64 when the buffer is full; C# masks shift counts to 6 bits, so shifting by 64 would be a no-op.
                _buffer = ones + 1 >= 64 ? 0 : _buffer >> (ones + 1);
                _bits -= ones + 1;
                return q <= max ? q : throw new CorruptUpdateException(CorruptUpdateReason.Inconsistent, "position gap exceeds the tensor");
            }

            q += ones;
            _buffer = 0;
            _bits = 0;
            if (q > max)
            {
                throw new CorruptUpdateException(CorruptUpdateReason.Inconsistent, "position gap exceeds the tensor");
            }
        }
    }

    private void Refill()
    {
        while (_bits <= 56 && _position < _data.Length)
        {
            _buffer |= (ulong)_data[_position++] << _bits;
            _bits += 8;
        }
    }
}
