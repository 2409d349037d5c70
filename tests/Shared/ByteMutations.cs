using System.Buffers.Binary;

namespace FogLens.Tests.Shared;

/// <summary>Random damage to byte payloads for fuzz tests: truncation, bit flips, overwrites, insertions, cuts.</summary>
internal static class ByteMutations
{
    /// <summary>One random mutation of a copy of <paramref name="source"/>; <paramref name="headerLength"/> bytes get extra attention.</summary>
    public static byte[] Mutate(Random rng, byte[] source, int headerLength = 80)
    {
        var data = (byte[])source.Clone();
        var head = Math.Max(1, Math.Min(data.Length, headerLength));
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
                data[rng.Next(head)] = (byte)rng.Next(256);
                return data;
            case 3 when data.Length >= 4:
                BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(rng.Next(0, Math.Max(1, head - 4))), (uint)rng.NextInt64(0, uint.MaxValue + 1L));
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
