using FashionApi.Dataset;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace FashionApi.Samples;

/// <summary>Encodes a 28×28 8-bit grayscale image (the model's input form) as a PNG, for showing it in a browser.</summary>
public static class GrayscalePng
{
    static readonly PngEncoder Encoder = new() { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit8 };

    public static byte[] Encode(ReadOnlySpan<byte> pixels)
    {
        using var image = Image.LoadPixelData<L8>(pixels, FashionMnist.ImageSide, FashionMnist.ImageSide);
        using var stream = new MemoryStream();
        image.SaveAsPng(stream, Encoder);
        return stream.ToArray();
    }

    public static string DataUrl(ReadOnlySpan<byte> pixels) => "data:image/png;base64," + Convert.ToBase64String(Encode(pixels));
}
