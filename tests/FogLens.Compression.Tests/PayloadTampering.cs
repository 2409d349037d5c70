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
}
