using System.Buffers.Binary;

namespace FogLens.Compression.Wire;

/// <summary>Little-endian reads with bounds checks that throw <see cref="CorruptUpdateException"/> (Truncated).</summary>
internal ref struct SpanReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;

    public int Position { get; private set; }

    public readonly int Remaining => _data.Length - Position;

    public byte ReadByte() => Take(1)[0];

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    public float ReadSingle() => BinaryPrimitives.ReadSingleLittleEndian(Take(4));

    public ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > Remaining)
        {
            throw new CorruptUpdateException(CorruptUpdateReason.Truncated, $"needs {count} bytes at offset {Position}, {Remaining} left");
        }

        var span = _data.Slice(Position, count);
        Position += count;
        return span;
    }
}
