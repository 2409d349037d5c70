using System.Buffers.Binary;
using System.IO.Hashing;
using System.Numerics.Tensors;
using System.Text;

namespace FogLens.Compression;

/// <summary>
/// A client's error-feedback state: per tensor, the part of past updates that was not sent yet
/// (R ← R + ΔW − decoded). Persisted across restarts with <see cref="Save"/> / <see cref="Load"/>
/// (format "FLRS", CRC32-protected; version 2 adds the momentum-correction velocities, version 1 files
/// are still read). Not thread-safe: one state per client.
/// </summary>
public sealed class CodecState
{
    private const byte FormatVersion = 2;
    private readonly Dictionary<string, float[]> _residuals = new(StringComparer.Ordinal);
    private readonly Dictionary<string, float[]> _velocities = new(StringComparer.Ordinal);

    /// <summary>Encodes that updated this state.</summary>
    public long Rounds { get; private set; }

    public IReadOnlyDictionary<string, float[]> Residuals => _residuals;

    /// <summary>Momentum-correction velocities per tensor (<see cref="CodecOptions.Momentum"/>); empty when momentum is off.</summary>
    public IReadOnlyDictionary<string, float[]> Velocities => _velocities;

    /// <summary>L2 norm of all residuals together.</summary>
    public double ResidualNorm()
    {
        double sum = 0;
        foreach (var r in _residuals.Values)
        {
            var n = TensorPrimitives.Norm(r);
            sum += (double)n * n;
        }

        return Math.Sqrt(sum);
    }

    public void Reset()
    {
        _residuals.Clear();
        _velocities.Clear();
        Rounds = 0;
    }

    /// <summary>The residual of a tensor, or null when it has none yet. Throws when its size changed.</summary>
    internal float[]? Get(TensorSpec spec)
    {
        if (!_residuals.TryGetValue(spec.Name, out var residual))
        {
            return null;
        }

        return residual.LongLength == spec.ElementCount
            ? residual
            : throw new InvalidOperationException(
                $"the residual of '{spec.Name}' has {residual.LongLength} elements but the update has {spec.ElementCount}: the model changed; call Reset()");
    }

    /// <summary>A new all-zero residual for a tensor that has none.</summary>
    internal float[] Create(TensorSpec spec)
    {
        var residual = new float[spec.ElementCount];
        _residuals[spec.Name] = residual;
        return residual;
    }

    internal void CompleteRound() => Rounds++;

    /// <summary>The velocity of a tensor, or null when it has none yet. Throws when its size changed.</summary>
    internal float[]? GetVelocity(TensorSpec spec)
    {
        if (!_velocities.TryGetValue(spec.Name, out var velocity))
        {
            return null;
        }

        return velocity.LongLength == spec.ElementCount
            ? velocity
            : throw new InvalidOperationException($"the velocity of '{spec.Name}' has {velocity.LongLength} elements but the update has {spec.ElementCount}: the model changed; call Reset()");
    }

    internal void SetVelocity(string name, float[] values) => _velocities[name] = values;

    public byte[] Serialize()
    {
        long size = 4 + 1 + 8 + 4 + 4;
        foreach (var (name, r) in _residuals.Concat(_velocities))
        {
            size += 2 + Encoding.UTF8.GetByteCount(name) + 8 + (4L * r.Length);
        }

        size += 4;
        if (size > Array.MaxLength)
        {
            throw new InvalidOperationException("codec state too large to serialise");
        }

        var buffer = new byte[size];
        var span = buffer.AsSpan();
        "FLRS"u8.CopyTo(span);
        span[4] = FormatVersion;
        BinaryPrimitives.WriteInt64LittleEndian(span[5..], Rounds);
        BinaryPrimitives.WriteInt32LittleEndian(span[13..], _residuals.Count);
        var offset = WriteTensors(span, 17, _residuals);
        BinaryPrimitives.WriteInt32LittleEndian(span[offset..], _velocities.Count);
        offset = WriteTensors(span, offset + 4, _velocities);
        BinaryPrimitives.WriteUInt32LittleEndian(span[offset..], Crc32.HashToUInt32(span[..offset]));
        return buffer;
    }

    private static int WriteTensors(Span<byte> span, int offset, Dictionary<string, float[]> tensors)
    {
        foreach (var (name, r) in tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var nameBytes = Encoding.UTF8.GetBytes(name);
            BinaryPrimitives.WriteUInt16LittleEndian(span[offset..], (ushort)nameBytes.Length);
            nameBytes.CopyTo(span[(offset + 2)..]);
            offset += 2 + nameBytes.Length;
            BinaryPrimitives.WriteInt64LittleEndian(span[offset..], r.LongLength);
            offset += 8;
            for (var i = 0; i < r.Length; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(span[(offset + (4 * i))..], r[i]);
            }

            offset += 4 * r.Length;
        }

        return offset;
    }

    /// <summary>Reads a serialised state; corrupt or truncated input throws <see cref="CorruptUpdateException"/>.</summary>
    public static CodecState Deserialize(ReadOnlySpan<byte> data, DecodeLimits? limits = null)
    {
        limits ??= DecodeLimits.Default;
        if (data.Length < 21)
        {
            throw new CorruptUpdateException(CorruptUpdateReason.Truncated, "codec state is too short");
        }

        if (!data[..4].SequenceEqual("FLRS"u8))
        {
            throw new CorruptUpdateException(CorruptUpdateReason.BadMagic, "not a codec state file");
        }

        var version = data[4];
        if (version is not (1 or FormatVersion))
        {
            throw new CorruptUpdateException(CorruptUpdateReason.UnsupportedVersion, $"codec state version {data[4]}");
        }

        var body = data[..^4];
        if (Crc32.HashToUInt32(body) != BinaryPrimitives.ReadUInt32LittleEndian(data[^4..]))
        {
            throw new CorruptUpdateException(CorruptUpdateReason.ChecksumMismatch, "codec state checksum mismatch");
        }

        var reader = new Wire.SpanReader(body);
        reader.Take(5);
        var state = new CodecState { Rounds = (long)reader.ReadUInt64() };
        ReadTensors(ref reader, limits, state._residuals);
        if (version >= 2)
        {
            ReadTensors(ref reader, limits, state._velocities);
        }

        if (reader.Remaining != 0)
        {
            throw new CorruptUpdateException(CorruptUpdateReason.Inconsistent, $"codec state has {reader.Remaining} trailing bytes");
        }

        return state;
    }

    private static void ReadTensors(ref Wire.SpanReader reader, DecodeLimits limits, Dictionary<string, float[]> tensors)
    {
        var count = reader.ReadUInt32();
        if (count > limits.MaxTensors)
        {
            throw new CorruptUpdateException(CorruptUpdateReason.Oversized, $"codec state lists {count} tensors");
        }

        for (var t = 0; t < count; t++)
        {
            var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(reader.Take(2));
            var name = Encoding.UTF8.GetString(reader.Take(nameLength));
            var n = reader.ReadUInt64();
            if (n > (ulong)reader.Remaining / 4)
            {
                throw new CorruptUpdateException(CorruptUpdateReason.Truncated, $"residual '{name}' announces {n} values");
            }

            var values = new float[n];
            var bytes = reader.Take((int)n * 4);
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]);
            }

            tensors[name] = values;
        }
    }

    /// <summary>Writes the state atomically (temporary file, then rename).</summary>
    public void Save(string path)
    {
        var tmp = path + ".tmp";
        File.WriteAllBytes(tmp, Serialize());
        File.Move(tmp, path, overwrite: true);
    }

    public static CodecState Load(string path) => Deserialize(File.ReadAllBytes(path));
}
