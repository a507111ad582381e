using System.Buffers.Binary;
using System.IO.Hashing;

namespace FashionApi.Predictions;

/// <summary>
/// A PNG's compressed pixel data may be split over any number of IDAT chunks, of any size. ImageSharp 2.1.13's inflater
/// reads past its buffer when they are tiny (a valid file split into 1-byte chunks, which other decoders read, made it
/// throw; 2 bytes and more were read), so when any IDAT chunk is smaller than <see cref="SmallChunkBytes"/> they are
/// joined into one, with its own CRC, before the file reaches it. Encoders write chunks of kilobytes, so ordinary files
/// are passed through untouched, without a copy; so is anything malformed, for the decoder to refuse in its own words.
/// </summary>
public static class PngDataChunks
{
    const int SignatureLength = 8, ChunkOverhead = 12; // length, type and CRC around each chunk's data
    public const int SmallChunkBytes = 16;

    /// <summary><paramref name="png"/> itself, or a copy whose IDAT chunks are one when some were tiny.</summary>
    public static byte[] Joined(byte[] png)
    {
        if (DataChunks(png) is not { Count: > 1 } chunks || chunks.All(c => c.Length >= SmallChunkBytes)) return png;
        int first = chunks[0].Offset, end = chunks[^1].Offset + chunks[^1].Length + ChunkOverhead;
        int dataLength = chunks.Sum(c => c.Length);

        var joined = new byte[png.Length - chunks.Count * ChunkOverhead + ChunkOverhead];
        png.AsSpan(0, first).CopyTo(joined);
        BinaryPrimitives.WriteUInt32BigEndian(joined.AsSpan(first), (uint)dataLength);
        "IDAT"u8.CopyTo(joined.AsSpan(first + 4));
        int at = first + 8;
        foreach (var (offset, length) in chunks)
        {
            png.AsSpan(offset + 8, length).CopyTo(joined.AsSpan(at));
            at += length;
        }
        BinaryPrimitives.WriteUInt32BigEndian(joined.AsSpan(at), Crc32.HashToUInt32(joined.AsSpan(first + 4, dataLength + 4)));
        png.AsSpan(end).CopyTo(joined.AsSpan(at + 4));
        return joined;
    }

    /// <summary>The IDAT chunks (offset of each chunk, length of its data) up to IEND, when they are well formed and
    /// consecutive, as the format requires; otherwise null. Whatever follows IEND is left alone.</summary>
    static List<(int Offset, int Length)>? DataChunks(byte[] png)
    {
        var chunks = new List<(int Offset, int Length)>();
        bool ended = false;
        for (int offset = SignatureLength; offset + ChunkOverhead <= png.Length;)
        {
            uint length = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(offset));
            if (length > png.Length - offset - ChunkOverhead) return null;
            if (png.AsSpan(offset + 4, 4).SequenceEqual("IEND"u8)) break;
            bool data = png.AsSpan(offset + 4, 4).SequenceEqual("IDAT"u8);
            if (data && ended) return null; // IDAT chunks must be consecutive
            if (data) chunks.Add((offset, (int)length));
            else if (chunks.Count > 0) ended = true;
            offset += (int)length + ChunkOverhead;
        }
        return chunks;
    }
}
