using System.Runtime.CompilerServices;
using System.Text.Json;
using FashionApi.Dataset;
using FashionApi.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace FashionApi.Predictions;

/// <summary>Reads the request bodies the prediction endpoints accept, never holding more than one request's limit in
/// memory, and turns every way a body can be wrong into a <see cref="RequestRejectedException"/> with a message a
/// client can act on.</summary>
public static class RequestBodies
{
    /// <summary>Room for one number of a JSON pixel array: "0.0039215686274509803, " is 23 characters.</summary>
    public const int JsonBytesPerNumber = 24;

    /// <summary>Largest request an endpoint taking <paramref name="images"/> images accepts: the images plus room for
    /// multipart headers. Enforced by Kestrel before the body is read.</summary>
    public static long MaxRequestBytes(FashionApiOptions options, int images) => (options.MaxImageBytes + 64L * 1024) * images;

    /// <summary>Largest JSON body for <paramref name="images"/> images of 784 numbers each, plus room for the brackets
    /// and names. A JSON body is refused as soon as it passes this, before anything is parsed.</summary>
    public static long MaxJsonBytes(int images) => (long)images * FashionMnist.PixelCount * JsonBytesPerNumber + 4096;

    public static bool IsImage(HttpRequest request) =>
        request.ContentType?.StartsWith("image/", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>Reads and parses a JSON body of at most <paramref name="maxBytes"/>.</summary>
    public static async Task<T> ReadJsonAsync<T>(HttpRequest request, long maxBytes) where T : class
    {
        byte[] body = await ReadBoundedAsync(request, maxBytes, "The JSON body", "for the largest batch allowed");
        if (body.Length == 0)
            throw new RequestRejectedException(RejectionReason.EmptyBody, "The JSON body is empty.");
        var json = request.HttpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        try
        {
            return JsonSerializer.Deserialize<T>(body, json)
                   ?? throw new RequestRejectedException(RejectionReason.InvalidJson, "The JSON body is null.");
        }
        catch (JsonException e)
        {
            throw new RequestRejectedException(RejectionReason.InvalidJson, $"The body is not valid JSON for this request: {e.Message}", inner: e);
        }
    }

    /// <summary>A raw image body; its Content-Type must name an accepted format.</summary>
    public static Task<byte[]> ReadRawImageAsync(HttpRequest request, long maxBytes)
    {
        string mediaType = MediaTypeHeaderValue.TryParse(request.ContentType, out var parsed) ? parsed.MediaType.ToString() : request.ContentType ?? "";
        if (!AcceptedImageFormats.IsAccepted(mediaType))
            throw new RequestRejectedException(RejectionReason.UnsupportedMediaType,
                $"Content-Type '{request.ContentType}' is not an accepted image type; send {AcceptedImageFormats.Names} " +
                $"({string.Join(", ", AcceptedImageFormats.MediaTypes)}).", StatusCodes.Status415UnsupportedMediaType);
        return ReadBoundedAsync(request, maxBytes, "The image", "per image");
    }

    /// <summary>
    /// The files of one multipart field, read one at a time as the body streams in, each at most
    /// <paramref name="maxBytesPerFile"/>; at most <paramref name="maxFiles"/> of them (413 on the next one, before it is
    /// read). Nothing is buffered to disk, and only the file being handed out is in memory. Other fields are skipped.
    /// </summary>
    public static async IAsyncEnumerable<byte[]> ReadMultipartFilesAsync(HttpRequest request, string field, long maxBytesPerFile,
        int maxFiles, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || HeaderUtilities.RemoveQuotes(contentType.Boundary).Value is not { Length: > 0 and <= 200 } boundary)
            throw new RequestRejectedException(RejectionReason.MalformedMultipart,
                "The multipart Content-Type needs a boundary parameter of 1–200 characters.");

        var reader = new MultipartReader(boundary, request.Body) { HeadersCountLimit = 16, HeadersLengthLimit = 8 * 1024 };
        int count = 0;
        while (await NextSectionAsync(reader, cancellationToken) is { } section)
        {
            bool wanted = ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                          && disposition.IsFileDisposition()
                          && HeaderUtilities.RemoveQuotes(disposition.Name).Equals(field, StringComparison.Ordinal);
            if (!wanted)
            {
                await Guard(() => section.Body.DrainAsync(cancellationToken));
                continue;
            }
            if (++count > maxFiles)
                throw new RequestRejectedException(RejectionReason.BatchTooLarge,
                    $"'{field}' holds more than {maxFiles} images; at most {maxFiles} are accepted per batch.", StatusCodes.Status413PayloadTooLarge);
            string name = HeaderUtilities.RemoveQuotes(disposition!.FileName).ToString();
            yield return await Guard(() => ReadBoundedAsync(section.Body, null, maxBytesPerFile, $"'{name}'", "per image", cancellationToken,
                multipart: true));
        }
        if (count == 0)
            throw new RequestRejectedException(RejectionReason.MalformedMultipart, $"The multipart body has no file in the field '{field}'.");
    }

    public static RequestRejectedException Unsupported(HttpRequest request, string accepted) =>
        string.IsNullOrEmpty(request.ContentType) && request.ContentLength is null or 0
            ? new RequestRejectedException(RejectionReason.EmptyBody, $"The request has no body. Send {accepted}.")
            : new RequestRejectedException(RejectionReason.UnsupportedMediaType, $"Content-Type '{request.ContentType}' is not supported here. Send {accepted}.",
                StatusCodes.Status415UnsupportedMediaType);

    static Task<byte[]> ReadBoundedAsync(HttpRequest request, long maxBytes, string what, string per)
    {
        // Where the server can enforce the limit itself (Kestrel), lower it to this body's; the check below is for
        // the rest, and says which limit it was.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = Math.Min(limit.MaxRequestBodySize ?? long.MaxValue, maxBytes + 1);
        return ReadBoundedAsync(request.Body, request.ContentLength, maxBytes, what, per, request.HttpContext.RequestAborted, multipart: false);
    }

    /// <summary>Reads a body, stopping as soon as it passes <paramref name="maxBytes"/> instead of buffering all of it.</summary>
    static async Task<byte[]> ReadBoundedAsync(Stream body, long? announced, long maxBytes, string what, string per, CancellationToken cancellationToken,
        bool multipart)
    {
        if (announced is { } length)
        {
            CheckSize(length, maxBytes, what, per);
            // One array of the announced size, filled in place: no growing buffer and no copy (large ones would each
            // land on the large-object heap, which is what kept the process's memory up after many requests).
            var exact = new byte[length];
            int filled = 0;
            for (int n; filled < exact.Length && (n = await (multipart ? body.ReadAsync(exact.AsMemory(filled), cancellationToken)
                     : ReadAsync(body, exact.AsMemory(filled), cancellationToken))) > 0;)
                filled += n;
            return filled == exact.Length ? exact : exact[..filled];
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await (multipart ? body.ReadAsync(chunk, cancellationToken) : ReadAsync(body, chunk, cancellationToken))) > 0)
        {
            buffer.Write(chunk, 0, read);
            CheckSize(buffer.Length, maxBytes, what, per);
        }
        return buffer.ToArray();
    }

    /// <summary>Kestrel reports most malformed framing as BadHttpRequestException (answered with its status), but a
    /// chunk size that overflows as a plain IOException ("Bad chunk size data"): the body cannot be read either way.
    /// (Multipart sections say it in their own words, see <see cref="Guard{T}"/>.)</summary>
    static async ValueTask<int> ReadAsync(Stream body, Memory<byte> chunk, CancellationToken cancellationToken)
    {
        try
        {
            return await body.ReadAsync(chunk, cancellationToken);
        }
        catch (IOException e) when (e is not BadHttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            throw new RequestRejectedException(RejectionReason.MalformedHttp, $"The request body could not be read: {e.Message}", inner: e);
        }
    }

    static async Task<MultipartSection?> NextSectionAsync(MultipartReader reader, CancellationToken cancellationToken) =>
        await Guard(() => reader.ReadNextSectionAsync(cancellationToken));

    /// <summary>Malformed multipart framing surfaces as InvalidDataException or IOException ("unexpected end of stream").</summary>
    static async Task<T> Guard<T>(Func<Task<T>> read)
    {
        try
        {
            return await read();
        }
        catch (Exception e) when (e is InvalidDataException or IOException && e is not BadHttpRequestException)
        {
            throw new RequestRejectedException(RejectionReason.MalformedMultipart, $"The multipart body is malformed or ends early: {e.Message}", inner: e);
        }
    }

    static Task Guard(Func<Task> read) => Guard(async () => { await read(); return 0; });

    static void CheckSize(long bytes, long maxBytes, string what, string per)
    {
        if (bytes > maxBytes)
            throw new RequestRejectedException(RejectionReason.BodyTooLarge,
                $"{what} is {bytes:N0} bytes or more; the limit is {maxBytes:N0} bytes {per}.", StatusCodes.Status413PayloadTooLarge);
    }
}
