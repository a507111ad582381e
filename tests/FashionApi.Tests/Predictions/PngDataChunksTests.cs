using FashionApi.Dataset;
using FashionApi.Predictions;
using FashionApi.Tests.Hostile;
using FashionApi.Tests.Infrastructure;

namespace FashionApi.Tests.Predictions;

public class PngDataChunksTests
{
    static readonly byte[] Png = TestData.Png(TestData.FashionMnist.Test.Image(1));

    [Fact]
    public void A_png_with_one_data_chunk_is_passed_through_untouched() =>
        Assert.Same(Png, PngDataChunks.Joined(Png));

    [Fact]
    public void Split_data_chunks_are_joined_back_into_the_original_file()
    {
        // The test image has one IDAT chunk: splitting it and joining it again must give back the same bytes, CRC included.
        byte[] split = HostileCorpus.OneByteIdatChunks(Png);
        Assert.NotEqual(Png.Length, split.Length);
        Assert.Equal(Png, PngDataChunks.Joined(split));
    }

    [Fact]
    public void Chunks_that_are_not_tiny_are_left_as_they_are()
    {
        int half = (HostileCorpus.IdatDataLength(Png) + 1) / 2; // two chunks, both well above the tiny ones
        Assert.True(half > PngDataChunks.SmallChunkBytes);
        byte[] split = HostileCorpus.IdatChunksOf(Png, half);
        Assert.Equal(Png.Length + 12, split.Length);
        Assert.Same(split, PngDataChunks.Joined(split));
    }

    [Fact]
    public void Bytes_after_the_end_chunk_are_kept_and_do_not_stop_the_joining()
    {
        byte[] split = [.. HostileCorpus.OneByteIdatChunks(Png), .. new byte[40]];
        Assert.Equal([.. Png, .. new byte[40]], PngDataChunks.Joined(split));
    }

    [Fact]
    public void Malformed_files_are_left_for_the_decoder_to_refuse()
    {
        byte[] split = HostileCorpus.OneByteIdatChunks(Png);
        int third = split.AsSpan().IndexOf("IDAT"u8) - 4 + 2 * 13; // each 1-byte chunk takes 13 bytes
        Assert.True(split.AsSpan(third + 4, 4).SequenceEqual("IDAT"u8));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(split.AsSpan(third), 0x7FFF_FFFF); // runs past the end
        Assert.Same(split, PngDataChunks.Joined(split));
        byte[] garbage = [0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3, 4];
        Assert.Same(garbage, PngDataChunks.Joined(garbage));
    }
}
