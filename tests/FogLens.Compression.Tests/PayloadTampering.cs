using System.Buffers.Binary;
using System.IO.Hashing;

namespace FogLens.Compression.Tests;

/// <summary>Helpers to alter payloads while keeping (or not) a valid CRC32, to reach the deeper checks.</summary>
internal static class PayloadTampering
{
    public static byte[] WithFixedCrc(byte[] payload)
    {
        var copy = (byte[])payload.Clone();
        if (copy.Length >= 4)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(copy.Length - 4), Crc32.HashToUInt32(copy.AsSpan(0, copy.Length - 4)));
        }

        return copy;
    }

    public static byte[] Mutate(Random rng, byte[] source)
    {
        var data = (byte[])source.Clone();
        switch (rng.Next(6))
        {
            case 0:
                return data[..rng.Next(0, data.Length)];
            case 1:
                for (var k = rng.Next(1, 8); k > 0; k--)
                {
                    data[rng.Next(data.Length)] ^= (byte)(1 << rng.Next(8));
                }

                return data;
            case 2:
                // Header and table are the interesting part.
                data[rng.Next(Math.Min(data.Length, 80))] = (byte)rng.Next(256);
                return data;
            case 3:
                BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(rng.Next(0, Math.Max(1, Math.Min(data.Length, 80) - 4))), (uint)rng.NextInt64(0, uint.MaxValue + 1L));
                return data;
            case 4:
                var extra = new byte[rng.Next(1, 64)];
                rng.NextBytes(extra);
                return [.. data, .. extra];
            default:
                var cut = rng.Next(0, data.Length);
                return [.. data[..cut], .. data[Math.Min(data.Length, cut + rng.Next(1, 16))..]];
        }
    }
}
