using System.Buffers.Binary;

namespace FogLens.Contracts.Imaging;

/// <summary>What <see cref="JpegHeader.TryRead"/> found in the first bytes of an encoded image.</summary>
public enum JpegHeaderStatus
{
    /// <summary>A baseline or progressive JPEG whose frame header gives its size.</summary>
    Ok,

    /// <summary>Not a JPEG (no SOI marker), or the markers are broken before the frame header.</summary>
    NotJpeg,

    /// <summary>The data ends before a frame header was found.</summary>
    Truncated,
}

/// <summary>
/// Reads the width and height of a JPEG from its frame header (SOF marker) without decoding it, so a crop
/// that declares a huge image is refused before any decoder allocates a buffer sized by that declaration.
/// Walks the marker segments from SOI: each segment's length is checked against the data, so the reader
/// itself never reads out of bounds or allocates.
/// </summary>
public static class JpegHeader
{
    public static JpegHeaderStatus TryRead(ReadOnlySpan<byte> data, out int width, out int height)
    {
        width = 0;
        height = 0;
        if (data.Length < 4)
        {
            return data.Length >= 2 && data[0] == 0xFF && data[1] == 0xD8 ? JpegHeaderStatus.Truncated : JpegHeaderStatus.NotJpeg;
        }

        if (data[0] != 0xFF || data[1] != 0xD8)
        {
            return JpegHeaderStatus.NotJpeg;
        }

        var i = 2;
        while (true)
        {
            // Markers may be padded with any number of 0xFF fill bytes.
            while (i < data.Length && data[i] == 0xFF)
            {
                i++;
            }

            if (i >= data.Length)
            {
                return JpegHeaderStatus.Truncated;
            }

            if (data[i - 1] != 0xFF)
            {
                return JpegHeaderStatus.NotJpeg;
            }

            var marker = data[i++];
            if (marker is 0xD8 or 0xD9 or 0x01 or (>= 0xD0 and <= 0xD7))
            {
                if (marker == 0xD9)
                {
                    return JpegHeaderStatus.NotJpeg; // end of image before any frame
                }

                continue; // stand-alone markers carry no length
            }

            if (i + 2 > data.Length)
            {
                return JpegHeaderStatus.Truncated;
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(i, 2));
            if (length < 2)
            {
                return JpegHeaderStatus.NotJpeg;
            }

            if (IsStartOfFrame(marker))
            {
                if (length < 7 || i + 7 > data.Length)
                {
                    return i + 7 > data.Length ? JpegHeaderStatus.Truncated : JpegHeaderStatus.NotJpeg;
                }

                height = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(i + 3, 2));
                width = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(i + 5, 2));
                return JpegHeaderStatus.Ok;
            }

            i += length;
            if (i > data.Length)
            {
                return JpegHeaderStatus.Truncated;
            }
        }
    }

    /// <summary>SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC).</summary>
    private static bool IsStartOfFrame(byte marker) => marker is >= 0xC0 and <= 0xCF and not (0xC4 or 0xC8 or 0xCC);
}
