using System.Buffers.Binary;
using System.IO.Compression;

namespace FashionApi.Dataset;

/// <summary>
/// Reads the IDX files Fashion-MNIST ships in (big-endian header, then unsigned bytes), gzip-compressed or raw.
/// Every problem is reported as an <see cref="InvalidDataException"/> naming the file and what is wrong with it.
/// </summary>
public static class IdxReader
{
    const int ImageMagic = 0x00000803; // unsigned byte, 3 dimensions
    const int LabelMagic = 0x00000801; // unsigned byte, 1 dimension

    public static byte[] ReadImages(string path, int expectedRows = FashionMnist.ImageSide, int expectedColumns = FashionMnist.ImageSide)
    {
        byte[] content = ReadAll(path);
        int count = ReadHeader(path, content, ImageMagic, dimensions: 3);
        int rows = BinaryPrimitives.ReadInt32BigEndian(content.AsSpan(8));
        int columns = BinaryPrimitives.ReadInt32BigEndian(content.AsSpan(12));
        if (rows != expectedRows || columns != expectedColumns)
            throw Invalid(path, $"images are {rows}×{columns}, expected {expectedRows}×{expectedColumns}");
        return Payload(path, content, headerLength: 16, expectedLength: (long)count * rows * columns, count);
    }

    public static byte[] ReadLabels(string path, int classCount = FashionMnist.ClassCount)
    {
        byte[] content = ReadAll(path);
        int count = ReadHeader(path, content, LabelMagic, dimensions: 1);
        byte[] labels = Payload(path, content, headerLength: 8, expectedLength: count, count);
        int bad = Array.FindIndex(labels, label => label >= classCount);
        if (bad >= 0)
            throw Invalid(path, $"label {labels[bad]} at index {bad} is outside 0–{classCount - 1}");
        return labels;
    }

    static byte[] ReadAll(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            bool gzip = file.Length >= 2 && file.ReadByte() == 0x1f && file.ReadByte() == 0x8b;
            file.Position = 0;
            using Stream source = gzip ? new GZipStream(file, CompressionMode.Decompress) : file;
            using var buffer = new MemoryStream();
            source.CopyTo(buffer);
            return buffer.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw Invalid(path, $"the gzip stream is damaged ({e.Message})");
        }
        catch (EndOfStreamException)
        {
            throw Invalid(path, "the gzip stream ends early (truncated download?)");
        }
    }

    static int ReadHeader(string path, byte[] content, int expectedMagic, int dimensions)
    {
        int headerLength = 4 + 4 * dimensions;
        if (content.Length < headerLength)
            throw Invalid(path, $"it is {content.Length} bytes long, shorter than the {headerLength}-byte IDX header");
        int magic = BinaryPrimitives.ReadInt32BigEndian(content);
        if (magic != expectedMagic)
            throw Invalid(path, $"magic number is 0x{magic:X8}, expected 0x{expectedMagic:X8} " +
                                $"(an IDX file of unsigned bytes with {dimensions} dimension{(dimensions == 1 ? "" : "s")})");
        int count = BinaryPrimitives.ReadInt32BigEndian(content.AsSpan(4));
        if (count <= 0)
            throw Invalid(path, $"item count {count} is not positive");
        return count;
    }

    static byte[] Payload(string path, byte[] content, int headerLength, long expectedLength, int count)
    {
        long actual = content.Length - headerLength;
        if (actual != expectedLength)
            throw Invalid(path, $"header announces {count} items ({expectedLength} bytes of data) but the file holds {actual} " +
                                (actual < expectedLength ? "(truncated)" : "(trailing bytes)"));
        return content.AsSpan(headerLength).ToArray();
    }

    static InvalidDataException Invalid(string path, string problem) =>
        new($"'{path}' is not a valid Fashion-MNIST IDX file: {problem}.");
}
