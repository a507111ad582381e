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

    public static byte[] ReadImages(string path, int expectedRows = FashionMnist.ImageSide, int expectedColumns = FashionMnist.ImageSide) =>
        Read(path, ImageMagic, dimensions: 3, header =>
        {
            if (header[1] != expectedRows || header[2] != expectedColumns)
                throw Invalid(path, $"images are {header[1]}×{header[2]}, expected {expectedRows}×{expectedColumns}");
        });

    public static byte[] ReadLabels(string path, int classCount = FashionMnist.ClassCount)
    {
        byte[] labels = Read(path, LabelMagic, dimensions: 1, _ => { });
        int bad = Array.FindIndex(labels, label => label >= classCount);
        if (bad >= 0)
            throw Invalid(path, $"label {labels[bad]} at index {bad} is outside 0–{classCount - 1}");
        return labels;
    }

    /// <summary>Reads the header, then exactly the data it announces into one array (no intermediate copies of the
    /// 47 MB training images), and checks nothing follows.</summary>
    static byte[] Read(string path, int expectedMagic, int dimensions, Action<int[]> checkHeader)
    {
        try
        {
            using var file = File.OpenRead(path);
            bool gzip = file.Length >= 2 && file.ReadByte() == 0x1f && file.ReadByte() == 0x8b;
            file.Position = 0;
            using Stream source = gzip ? new GZipStream(file, CompressionMode.Decompress) : file;

            var header = new byte[4 + 4 * dimensions];
            int headerRead = source.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
            if (headerRead < header.Length)
                throw Invalid(path, $"it is {headerRead} bytes long, shorter than the {header.Length}-byte IDX header");
            int magic = BinaryPrimitives.ReadInt32BigEndian(header);
            if (magic != expectedMagic)
                throw Invalid(path, $"magic number is 0x{magic:X8}, expected 0x{expectedMagic:X8} " +
                                    $"(an IDX file of unsigned bytes with {dimensions} dimension{(dimensions == 1 ? "" : "s")})");
            var sizes = Enumerable.Range(0, dimensions).Select(d => BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4 + 4 * d))).ToArray();
            if (sizes[0] <= 0)
                throw Invalid(path, $"item count {sizes[0]} is not positive");
            checkHeader(sizes);

            long expected = sizes.Aggregate(1L, (product, size) => product * size);
            if (expected > Array.MaxLength)
                throw Invalid(path, $"header announces {expected:N0} bytes of data, more than this reader holds");
            var payload = new byte[expected];
            int read = source.ReadAtLeast(payload, payload.Length, throwOnEndOfStream: false);
            if (read < payload.Length)
                throw Invalid(path, $"header announces {sizes[0]} items ({expected} bytes of data) but the file holds {read} (truncated)");
            if (source.ReadByte() >= 0)
                throw Invalid(path, $"header announces {sizes[0]} items ({expected} bytes of data) but more data follows (trailing bytes)");
            return payload;
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith($"'{path}'", StringComparison.Ordinal))
        {
            throw Invalid(path, $"the gzip stream is damaged ({e.Message})");
        }
        catch (EndOfStreamException)
        {
            throw Invalid(path, "the gzip stream ends early (truncated download?)");
        }
    }

    static InvalidDataException Invalid(string path, string problem) =>
        new($"'{path}' is not a valid Fashion-MNIST IDX file: {problem}.");
}
