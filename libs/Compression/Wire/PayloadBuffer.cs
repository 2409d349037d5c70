using System.Buffers;
using System.Buffers.Binary;

namespace FogLens.Compression.Wire;

/// <summary>A pooled, growing byte buffer for tensor payloads; dispose to return it.</summary>
internal sealed class PayloadBuffer(int initialCapacity) : IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(64, initialCapacity));

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, Length);

    public Span<byte> GetSpan(int length)
    {
        EnsureCapacity(length);
        return _buffer.AsSpan(Length, length);
    }

    public void Advance(int length) => Length += length;

    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        Length += bytes.Length;
    }

    public void WriteSingles(ReadOnlySpan<float> values)
    {
        var span = GetSpan(values.Length * 4);
        if (BitConverter.IsLittleEndian)
        {
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(values).CopyTo(span);
        }
        else
        {
            for (var i = 0; i < values.Length; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(span[(4 * i)..], values[i]);
            }
        }

        Length += values.Length * 4;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    private void EnsureCapacity(int extra)
    {
        if (Length + extra <= _buffer.Length)
        {
            return;
        }

        var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(Array.MaxLength, Math.Max((long)_buffer.Length * 2, (long)Length + extra)));
        _buffer.AsSpan(0, Length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
