using System.Buffers.Binary;
using FashionApi.Dataset;
using FashionApi.Hosting;
using Microsoft.Extensions.Options;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace FashionApi.Predictions;

public enum InvertMode { Auto, True, False }

public static class InvertModes
{
    /// <summary>Reads the <c>invert</c> query value: auto (default), true or false, in any case.</summary>
    public static InvertMode Parse(string? value) => value?.ToLowerInvariant() switch
    {
        null or "" or "auto" => InvertMode.Auto,
        "true" => InvertMode.True,
        "false" => InvertMode.False,
        _ => throw new RequestRejectedException(RejectionReason.InvalidParameter, $"invert='{value}' is not understood; use auto, true or false."),
    };
}

/// <summary>
/// Turns an uploaded image into the model's input: the one entry point every endpoint that takes an image goes
/// through. A 28×28 image is used pixel for pixel, exactly like the dataset (negated when its border is brighter than
/// mid-grey, since the dataset has light garments on black). Anything else is a photo: converted to grayscale and
/// made dataset-like by <see cref="GarmentPhoto"/>.
/// </summary>
public sealed class ImagePreprocessor(IOptions<FashionApiOptions> options, FashionApiMetrics metrics, ILogger<ImagePreprocessor> logger)
{
    const int Side = FashionMnist.ImageSide;

    /// <summary>Decodes <paramref name="encoded"/> (one of <see cref="AcceptedImageFormats"/>) and makes it a model
    /// input. Everything the untrusted bytes can make the decoder throw becomes a <see cref="RequestRejectedException"/>;
    /// <paramref name="budget"/> is the request's decoding deadline (checked by the decoder as it goes).</summary>
    public PreparedImage Prepare(byte[] encoded, InvertMode invert, CancellationToken budget)
    {
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        var prepared = Decode(encoded, invert, budget);
        metrics.Preprocessed(started);
        return prepared;
    }

    PreparedImage Decode(byte[] encoded, InvertMode invert, CancellationToken budget)
    {
        if (encoded.Length == 0)
            throw new RequestRejectedException(RejectionReason.EmptyBody, "The image is empty.");

        var accepted = AcceptedImageFormats.Detect(encoded) ?? throw NotAccepted(encoded);
        CheckBmpPixelOffset(accepted, encoded);
        if (accepted.Format == PngFormat.Instance) encoded = PngDataChunks.Joined(encoded);
        try
        {
            using var stream = new MemoryStream(encoded, writable: false);
            // The header only, so a small file announcing a gigantic image is refused before any pixel is allocated.
            var info = ((IImageInfoDetector)accepted.Decoder).Identify(AcceptedImageFormats.Decoding, stream, budget)
                       ?? throw new InvalidImageContentException("it has no readable header");
            if ((long)info.Width * info.Height > options.Value.MaxImagePixels)
                throw new RequestRejectedException(RejectionReason.ImageTooLarge,
                    $"The image is {info.Width}×{info.Height} pixels; the limit is {options.Value.MaxImagePixels:N0} pixels (width × height).",
                    StatusCodes.Status413PayloadTooLarge);

            if (accepted.Format == PngFormat.Instance && InterlacedPngCheck.Problem(encoded) is { } problem)
                throw new RequestRejectedException(RejectionReason.UndecodableImage, $"The interlaced PNG image cannot be decoded: {problem}.");

            stream.Position = 0;
            using var image = accepted.Decoder.Decode<L8>(AcceptedImageFormats.Decoding, stream, budget);
            budget.ThrowIfCancellationRequested();
            var prepared = Prepare(image, invert, new PreprocessingSource(accepted.Name.ToLowerInvariant(), info.Width, info.Height,
                ColourSource: info.PixelType?.BitsPerPixel > 16), budget); // 8/16-bit sources are grey (with or without alpha)
            budget.ThrowIfCancellationRequested();
            return prepared;
        }
        catch (RequestRejectedException)
        {
            throw;
        }
        catch (OperationCanceledException) when (budget.IsCancellationRequested)
        {
            throw; // the caller knows whether the client went away or the deadline passed
        }
        catch (Exception e) when (e is InvalidMemoryOperationException or OutOfMemoryException)
        {
            // A buffer sized from a header field the decoder had not checked (or over the allocator's cap): refused
            // before it was filled, so nothing else is affected.
            throw new RequestRejectedException(RejectionReason.ImageTooLarge,
                $"Decoding this {accepted.Name} image would need more memory than one request is allowed ({e.Message}).",
                StatusCodes.Status413PayloadTooLarge, e);
        }
        catch (Exception e)
        {
            // Damaged files make ImageSharp's decoders throw more than its own ImageFormatException: index out of
            // range, null reference, division by zero, invalid operation... All of them mean these bytes cannot be read.
            logger.LogDebug(e, "The {Format} decoder failed on a {Bytes}-byte upload", accepted.Name, encoded.Length);
            throw new RequestRejectedException(RejectionReason.UndecodableImage,
                $"The {accepted.Name} image could not be decoded (damaged or truncated?): {Describe(e)}", inner: e);
        }
    }

    /// <summary>ImageSharp 2's BMP decoder sizes its palette from the header and checks it only against the header's
    /// pixel-data offset; with an offset past the end of the file, a few hundred bytes could make it allocate gigabytes.</summary>
    static void CheckBmpPixelOffset(AcceptedImageFormat format, byte[] encoded)
    {
        if (format.Format != BmpFormat.Instance || encoded.Length < 14) return;
        uint offset = BinaryPrimitives.ReadUInt32LittleEndian(encoded.AsSpan(10));
        if (offset > encoded.Length)
            throw new RequestRejectedException(RejectionReason.UndecodableImage,
                $"The BMP header puts the pixels at byte {offset:N0}, past the end of the file ({encoded.Length:N0} bytes).");
    }

    /// <summary>What the decoder said, for the client; its own messages are useful, runtime ones less so.</summary>
    static string Describe(Exception e) => e is ImageFormatException or InvalidDataException or NotSupportedException
        ? e.Message
        : $"the decoder stopped with {e.GetType().Name} ({e.Message})";

    static RequestRejectedException NotAccepted(byte[] encoded) => AcceptedImageFormats.DetectOther(encoded) is { } other
        ? new RequestRejectedException(RejectionReason.UnsupportedMediaType,
            $"{other} images are not accepted; send {AcceptedImageFormats.Names}.", StatusCodes.Status415UnsupportedMediaType)
        : new RequestRejectedException(RejectionReason.UndecodableImage,
            $"The content is not an image in a supported format ({AcceptedImageFormats.Names}): its first bytes match none of them.");

    sealed record PreprocessingSource(string Format, int Width, int Height, bool ColourSource);

    static PreparedImage Prepare(Image<L8> image, InvertMode invert, PreprocessingSource source, CancellationToken budget)
    {
        if (image.Width == Side && image.Height == Side)
        {
            bool inverted = invert switch
            {
                InvertMode.True => true,
                InvertMode.False => false,
                _ => BorderMean(image) > 127,
            };
            if (inverted) image.Mutate(x => x.Invert());
            var pixels = new byte[FashionMnist.PixelCount];
            image.CopyPixelDataTo(pixels);
            return new PreparedImage(pixels, new PreprocessingReport(source.Format, Side, Side, source.ColourSource, Resized: false, inverted,
                BackgroundLevel: 0, new PixelBox(0, 0, Side, Side), RotationDegrees: 0, Warnings: []));
        }
        var photo = GarmentPhoto.Prepare(image, invert, budget);
        return new PreparedImage(photo.Pixels, new PreprocessingReport(source.Format, source.Width, source.Height, source.ColourSource,
            Resized: true, photo.Inverted, photo.BackgroundLevel, PixelBox.From(photo.Crop), photo.RotationDegrees, photo.Warnings));
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
