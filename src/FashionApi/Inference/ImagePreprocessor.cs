using FashionApi.Dataset;
using FashionApi.Infrastructure;
using Microsoft.Extensions.Options;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Pbm;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tga;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace FashionApi.Inference;

public enum InvertMode { Auto, True, False }

public static class InvertModes
{
    /// <summary>Reads the <c>invert</c> query value: auto (default), true or false, in any case.</summary>
    public static InvertMode Parse(string? value) => value?.ToLowerInvariant() switch
    {
        null or "" or "auto" => InvertMode.Auto,
        "true" => InvertMode.True,
        "false" => InvertMode.False,
        _ => throw new RequestRejectedException($"invert='{value}' is not understood; use auto, true or false."),
    };
}

/// <summary>What was done to an uploaded image to make it a 28×28 Fashion-MNIST-like input.</summary>
public sealed record PreprocessingReport(string Format, int OriginalWidth, int OriginalHeight, bool ConvertedToGrayscale, bool Resized, bool Inverted);

/// <summary>A decoded image as the model sees it (784 bytes, light garment on black) and how it got there.</summary>
public sealed record PreparedImage(byte[] Pixels, PreprocessingReport Preprocessing);

/// <summary>
/// Turns an uploaded image into the model's input. A 28×28 grayscale image is used pixel for pixel, exactly like the
/// dataset. Anything else is converted to grayscale, trimmed to the garment and fitted into 28×28 keeping its aspect
/// ratio, centred on black.
/// A light background (the border brighter than mid-grey) is inverted, since the dataset has light garments on black.
/// </summary>
public sealed class ImagePreprocessor(IOptions<FashionApiOptions> options)
{
    const int Side = FashionMnist.ImageSide;

    /// <summary>The formats accepted, with animated and multi-page ones read to their first frame only: the pixel
    /// limit is checked against the header's canvas size, so decoding every frame would let a tiny file with thousands
    /// of frames allocate gigabytes. WebP is left out because ImageSharp 2's WebP decoder always decodes every frame.</summary>
    internal static readonly Configuration Decoding = CreateDecoding();

    static Configuration CreateDecoding()
    {
        var configuration = new Configuration(
            new PngConfigurationModule(), new JpegConfigurationModule(), new BmpConfigurationModule(), new GifConfigurationModule(),
            new TiffConfigurationModule(), new TgaConfigurationModule(), new PbmConfigurationModule());
        configuration.ImageFormatsManager.SetDecoder(GifFormat.Instance, new GifDecoder { DecodingMode = FrameDecodingMode.First });
        configuration.ImageFormatsManager.SetDecoder(TiffFormat.Instance, new TiffDecoder { DecodingMode = FrameDecodingMode.First });
        return configuration;
    }

    public PreparedImage Prepare(byte[] encoded, InvertMode invert)
    {
        if (encoded.Length == 0)
            throw new RequestRejectedException("The image is empty.");

        // Read the header only, so a tiny file announcing a gigantic image is refused before any pixel is allocated.
        IImageInfo? info;
        SixLabors.ImageSharp.Formats.IImageFormat? format;
        try
        {
            info = Image.Identify(Decoding, encoded, out format);
        }
        catch (Exception e) when (e is ImageFormatException or InvalidDataException or NotSupportedException)
        {
            throw Undecodable(e);
        }
        if (info is null || format is null)
            throw new RequestRejectedException("The content is not an image in a supported format (PNG, JPEG, BMP, GIF, TIFF, TGA, PBM).");
        if ((long)info.Width * info.Height > options.Value.MaxImagePixels)
            throw new RequestRejectedException($"The image is {info.Width}×{info.Height} pixels; the limit is {options.Value.MaxImagePixels:N0} pixels.",
                StatusCodes.Status413PayloadTooLarge);

        try
        {
            using var image = Image.Load<L8>(Decoding, encoded);
            bool colourSource = info.PixelType?.BitsPerPixel > 16; // 8/16-bit sources are grey (with or without alpha)
            bool inverted = invert switch
            {
                InvertMode.True => true,
                InvertMode.False => false,
                _ => BorderMean(image) > 127,
            };
            if (inverted) image.Mutate(x => x.Invert());
            bool resized = image.Width != Side || image.Height != Side;
            if (resized)
            {
                // Like the dataset was made: trim to the garment, then scale its longest edge to 28 and centre it.
                if (ContentBounds(image) is { } garment)
                    image.Mutate(x => x.Crop(garment));
                image.Mutate(x => x.Resize(new ResizeOptions { Size = new Size(Side, Side), Mode = ResizeMode.Pad, PadColor = Color.Black }));
            }

            var pixels = new byte[FashionMnist.PixelCount];
            image.CopyPixelDataTo(pixels);
            return new PreparedImage(pixels,
                new PreprocessingReport(format.Name.ToLowerInvariant(), info.Width, info.Height, colourSource, resized, inverted));
        }
        catch (Exception e) when (e is ImageFormatException or InvalidDataException or NotSupportedException or InvalidOperationException)
        {
            throw Undecodable(e);
        }
    }

    static RequestRejectedException Undecodable(Exception e) =>
        new($"The image could not be decoded (damaged or truncated?): {e.Message}");

    /// <summary>The smallest rectangle holding every pixel clearly brighter than the black background, if any.</summary>
    static Rectangle? ContentBounds(Image<L8> image)
    {
        const byte Threshold = 32; // above JPEG noise on a background that was white before inversion
        int left = int.MaxValue, top = int.MaxValue, right = -1, bottom = -1;
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (int x = 0; x < row.Length; x++)
                {
                    if (row[x].PackedValue <= Threshold) continue;
                    left = Math.Min(left, x);
                    right = Math.Max(right, x);
                    top = Math.Min(top, y);
                    bottom = y;
                }
            }
        });
        return right < 0 ? null : new Rectangle(left, top, right - left + 1, bottom - top + 1);
    }

    static double BorderMean(Image<L8> image)
    {
        long sum = 0, count = 0;
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                if (y == 0 || y == rows.Height - 1)
                {
                    foreach (var pixel in row) sum += pixel.PackedValue;
                    count += row.Length;
                }
                else
                {
                    sum += row[0].PackedValue + row[^1].PackedValue;
                    count += 2;
                }
            }
        });
        return sum / (double)count;
    }
}
