using System.Buffers.Binary;
using System.IO.Compression;
using FashionApi.Dataset;
using FashionApi.Tests.Infrastructure;

namespace FashionApi.Tests.Dataset;

public class IdxReaderTests : IDisposable
{
    readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    static byte[] Idx(int magic, int[] dimensions, byte[] payload)
    {
        var bytes = new byte[4 + 4 * dimensions.Length + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        for (int i = 0; i < dimensions.Length; i++)
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dimensions[i]);
        payload.CopyTo(bytes, 4 + 4 * dimensions.Length);
        return bytes;
    }

    static byte[] Gzip(byte[] content)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest)) gzip.Write(content);
        return buffer.ToArray();
    }

    string Write(string name, byte[] content)
    {
        string path = Path.Combine(directory.Path, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    static byte[] Images(int count) => Idx(0x803, [count, 28, 28], Enumerable.Range(0, count * 784).Select(i => (byte)i).ToArray());

    [Fact]
    public void Reads_gzipped_and_raw_files_alike()
    {
        byte[] raw = Images(3);
        var fromGzip = IdxReader.ReadImages(Write("a.gz", Gzip(raw)));
        var fromRaw = IdxReader.ReadImages(Write("a.idx", raw));
        Assert.Equal(3 * 784, fromGzip.Length);
        Assert.Equal(fromRaw, fromGzip);
        Assert.Equal((byte)(784 % 256), fromGzip[784]);

        var labels = IdxReader.ReadLabels(Write("l.gz", Gzip(Idx(0x801, [4], [9, 0, 3, 2]))));
        Assert.Equal(new byte[] { 9, 0, 3, 2 }, labels);
    }

    [Fact]
    public void Truncated_images_are_rejected_naming_the_file()
    {
        var content = Images(3);
        string path = Write("truncated.gz", Gzip(content[..^100]));
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));
        Assert.Contains("truncated.gz", e.Message);
        Assert.Contains("truncated", e.Message[(e.Message.IndexOf(':') + 1)..]);
    }

    [Fact]
    public void A_damaged_gzip_stream_is_rejected()
    {
        var gz = Gzip(Images(2));
        string path = Write("cut.gz", gz[..(gz.Length / 2)]);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));
        Assert.Contains("cut.gz", e.Message);
    }

    [Fact]
    public void Wrong_magic_is_rejected()
    {
        string path = Write("labels-as-images.gz", Gzip(Idx(0x801, [30], new byte[30])));
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));
        Assert.Contains("magic number is 0x00000801, expected 0x00000803", e.Message);
    }

    [Fact]
    public void A_count_that_disagrees_with_the_data_is_rejected()
    {
        string path = Write("count.gz", Gzip(Idx(0x801, [5], [1, 2, 3])));
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(path));
        Assert.Contains("announces 5 items", e.Message);
    }

    [Fact]
    public void Data_beyond_the_announced_count_is_rejected()
    {
        string path = Write("trailing.gz", Gzip(Idx(0x801, [2], [1, 2, 3])));
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(path));
        Assert.Contains("trailing bytes", e.Message);
    }

    [Fact]
    public void Images_that_are_not_28_by_28_are_rejected()
    {
        string path = Write("small.gz", Gzip(Idx(0x803, [1, 14, 14], new byte[196])));
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));
        Assert.Contains("14×14, expected 28×28", e.Message);
    }

    [Fact]
    public void A_label_out_of_range_is_rejected()
    {
        string path = Write("labels.gz", Gzip(Idx(0x801, [3], [1, 10, 3])));
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(path));
        Assert.Contains("label 10 at index 1", e.Message);
    }

    [Fact]
    public void Images_and_labels_must_agree_in_number()
    {
        Write("train-images-idx3-ubyte.gz", Gzip(Images(3)));
        Write("train-labels-idx1-ubyte.gz", Gzip(Idx(0x801, [2], [1, 2])));
        Write("t10k-images-idx3-ubyte.gz", Gzip(Images(1)));
        Write("t10k-labels-idx1-ubyte.gz", Gzip(Idx(0x801, [1], [1])));
        var e = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(directory.Path));
        Assert.Contains("holds 3 images", e.Message);
        Assert.Contains("2 labels", e.Message);
    }
}
