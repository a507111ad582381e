using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.Metadata;

namespace FashionApi.Predictions;

/// <summary>One image format the service accepts, with the decoder that reads it.</summary>
/// <param name="Name">How the format is named to clients.</param>
/// <param name="Format">ImageSharp's format: its media types and header detector.</param>
/// <param name="Module">Registers the format (detector, decoder) in an ImageSharp configuration.</param>
/// <param name="Decoder">Configured to read pixels only: metadata (text chunks, EXIF, ICC, IPTC, XMP) is skipped, never
/// inflated, so a small file cannot make the service inflate a gigabyte of text; animations give their first frame.</param>
public sealed record AcceptedImageFormat(string Name, IImageFormat Format, IConfigurationModule Module, IImageDecoder Decoder)
{
    /// <summary>The media type to send it with, e.g. <c>image/png</c>.</summary>
    public string MediaType => Format.DefaultMimeType;
}

/// <summary>
/// The formats a photo or drawing of clothing arrives in, and the only ones decoded: PNG, JPEG, BMP, GIF and WebP.
/// This list configures the decoders, decides which Content-Types a raw upload may have (415 otherwise, naming these),
/// and feeds the OpenAPI document. TIFF, TGA and PBM are left out: nobody photographs clothes in them, and their
/// ImageSharp 2 decoders were the ones that failed most on damaged files. (Animated WebP is refused by ImageSharp 2's
/// decoder as unsupported, so WebP cannot smuggle in thousands of frames.)
/// </summary>
public static class AcceptedImageFormats
{
    public static readonly IReadOnlyList<AcceptedImageFormat> All =
    [
        new("PNG", PngFormat.Instance, new PngConfigurationModule(), new PngDecoder { IgnoreMetadata = true }),
        new("JPEG", JpegFormat.Instance, new JpegConfigurationModule(), new JpegDecoder { IgnoreMetadata = true }),
        new("BMP", BmpFormat.Instance, new BmpConfigurationModule(), new BmpDecoder()),
        new("GIF", GifFormat.Instance, new GifConfigurationModule(), new GifDecoder { IgnoreMetadata = true, DecodingMode = FrameDecodingMode.First }),
        new("WebP", WebpFormat.Instance, new WebpConfigurationModule(), new WebpDecoder { IgnoreMetadata = true }),
    ];

    /// <summary>"PNG, JPEG, BMP, GIF or WebP", for messages.</summary>
    public static string Names { get; } = string.Join(", ", All.SkipLast(1).Select(f => f.Name)) + " or " + All[^1].Name;

    /// <summary>"image/png, image/jpeg, …", for messages and the OpenAPI document.</summary>
    public static IReadOnlyList<string> MediaTypes { get; } = All.Select(f => f.MediaType).ToList();

    /// <summary>
    /// The one ImageSharp configuration images are decoded and processed with: only these formats' decoders, their
    /// buffers from a small pool, one thread per image (requests already run in parallel; a request should cost one
    /// core at most). Single buffers are capped well above what <c>MaxImagePixels</c> lets through, as a backstop.
    /// </summary>
    public static Configuration Decoding { get; } = CreateDecoding();

    /// <summary>Megabytes of image buffers kept for reuse between requests; the rest goes back to the OS. ImageSharp's
    /// default is an eighth of the machine's memory, which let RSS climb by hundreds of megabytes.</summary>
    public const int PoolMegabytes = 8;

    /// <summary>True for a Content-Type naming one of these formats (any of ImageSharp's names for it, e.g. image/pjpeg).</summary>
    public static bool IsAccepted(string mediaType) =>
        All.Any(f => f.Format.MimeTypes.Contains(mediaType, StringComparer.OrdinalIgnoreCase));

    /// <summary>The accepted format whose header the bytes start with, if any.</summary>
    public static AcceptedImageFormat? Detect(ReadOnlySpan<byte> encoded)
    {
        var format = Image.DetectFormat(Decoding, encoded);
        return All.FirstOrDefault(f => f.Format == format);
    }

    /// <summary>The name of any format ImageSharp knows (TIFF, TGA, …) that the bytes are in, to say why they are refused.</summary>
    public static string? DetectOther(ReadOnlySpan<byte> encoded) => Image.DetectFormat(Configuration.Default, encoded)?.Name;

    static Configuration CreateDecoding()
    {
        var configuration = new Configuration(All.Select(f => f.Module).ToArray())
        {
            MaxDegreeOfParallelism = 1,
            MemoryAllocator = MemoryAllocator.Create(new MemoryAllocatorOptions { MaximumPoolSizeMegabytes = PoolMegabytes, AllocationLimitMegabytes = 256 }),
        };
        foreach (var format in All)
            configuration.ImageFormatsManager.SetDecoder(format.Format, format.Decoder);
        return configuration;
    }
}
