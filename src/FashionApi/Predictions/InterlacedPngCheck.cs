using System.Buffers.Binary;
using System.IO.Compression;

namespace FashionApi.Predictions;

/// <summary>
/// ImageSharp 2.1.13's PNG decoder never returns, and never looks at its cancellation token, when an interlaced
/// (Adam7) image's pixel data ends before all seven passes are read: a 4 KB upload could keep a core busy forever.
/// So before such a file reaches it, its pixel data is inflated here, counted and thrown away: it must hold every row
/// the header announces. Only interlaced PNGs pay for this (a second inflate); they are rare.
/// </summary>
public static class InterlacedPngCheck
{
    /// <summary>What is wrong with an interlaced PNG's pixel data, or null when it is whole (or the file is not an
    /// interlaced PNG, or too damaged for this check: the decoder then refuses it itself).</summary>
    public static string? Problem(ReadOnlySpan<byte> png)
    {
        if (png.Length < 33 || png[28] != 1) return null; // IHDR's interlace method: 1 = Adam7
        uint width = BinaryPrimitives.ReadUInt32BigEndian(png[16..]), height = BinaryPrimitives.ReadUInt32BigEndian(png[20..]);
        int channels = png[25] switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4, _ => 0 };
        if (channels == 0 || width == 0 || height == 0 || width > int.MaxValue || height > int.MaxValue) return null;
        long expected = ExpectedBytes(width, height, channels * png[24]);

        using var data = new MemoryStream();
        for (int offset = 8; offset + 12 <= png.Length;)
        {
            uint length = BinaryPrimitives.ReadUInt32BigEndian(png[offset..]);
            if (length > png.Length - offset - 12) break; // the decoder will say what is wrong with this chunk
            if (png.Slice(offset + 4, 4).SequenceEqual("IDAT"u8)) data.Write(png.Slice(offset + 8, (int)length));
            offset += (int)length + 12;
        }
        data.Position = 0;

        long inflated = 0;
        try
        {
            using var inflate = new ZLibStream(data, CompressionMode.Decompress);
            var buffer = new byte[64 * 1024];
            for (int read; inflated < expected && (read = inflate.Read(buffer)) > 0;) inflated += read;
        }
        catch (InvalidDataException e)
        {
            return $"its compressed pixel data is damaged ({e.Message})";
        }
        return inflated < expected
            ? $"its pixel data ends early: {inflated:N0} of the {expected:N0} bytes its header announces"
            : null;
    }

    /// <summary>Bytes of filtered scanlines in the seven Adam7 passes: each row of each non-empty pass is a filter byte
    /// and its pixels, packed to whole bytes.</summary>
    static long ExpectedBytes(long width, long height, int bitsPerPixel)
    {
        ReadOnlySpan<(int X, int Y, int Dx, int Dy)> passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];
        long total = 0;
        foreach (var (x, y, dx, dy) in passes)
        {
            long columns = (width - x + dx - 1) / dx, rows = (height - y + dy - 1) / dy;
            if (columns > 0 && rows > 0) total += rows * (1 + (columns * bitsPerPixel + 7) / 8);
        }
        return total;
    }
}
