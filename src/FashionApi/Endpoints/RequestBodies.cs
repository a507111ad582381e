using System.Text.Json;
using FashionApi.Infrastructure;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace FashionApi.Endpoints;

/// <summary>Reads the request bodies the prediction endpoints accept, turning every way a body can be wrong into a
/// <see cref="RequestRejectedException"/> with a message a client can act on.</summary>
public static class RequestBodies
{
    /// <summary>Largest request an endpoint taking <paramref name="images"/> images accepts: the images plus room for
    /// multipart headers. Enforced by Kestrel before the body is read.</summary>
    public static long MaxRequestBytes(FashionApiOptions options, int images) => (options.MaxImageBytes + 64L * 1024) * images;

    public static bool IsImage(HttpRequest request) =>
        request.ContentType?.StartsWith("image/", StringComparison.OrdinalIgnoreCase) == true;

    public static async Task<T> ReadJsonAsync<T>(HttpRequest request) where T : class
    {
        var json = request.HttpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        try
        {
            return await request.ReadFromJsonAsync<T>(json, request.HttpContext.RequestAborted)
                   ?? throw new RequestRejectedException("The JSON body is null.");
        }
        catch (JsonException e)
        {
            throw new RequestRejectedException($"The body is not valid JSON for this request: {e.Message}");
        }
    }

    /// <summary>The uploaded files of one multipart field, each read into memory after its size is checked.</summary>
    public static async Task<IReadOnlyList<byte[]>> ReadFormFilesAsync(HttpRequest request, string field, long maxBytesPerFile)
    {
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
        }
        catch (BadHttpRequestException)
        {
            throw; // Kestrel's own verdict (e.g. 413 over the request size limit), answered with its status
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw new RequestRejectedException($"The multipart body is malformed or ends early: {e.Message}");
        }
        var files = form.Files.GetFiles(field);
        if (files.Count == 0)
            throw new RequestRejectedException($"The multipart body has no file in the field '{field}'.");
        var contents = new List<byte[]>(files.Count);
        foreach (var file in files)
        {
            CheckSize(file.Length, maxBytesPerFile, $"'{file.FileName}'");
            await using var stream = file.OpenReadStream();
            var bytes = new byte[file.Length];
            await stream.ReadExactlyAsync(bytes, request.HttpContext.RequestAborted);
            contents.Add(bytes);
        }
        return contents;
    }

    /// <summary>Reads a raw body, stopping as soon as it passes the size limit instead of buffering all of it.</summary>
    public static async Task<byte[]> ReadRawAsync(HttpRequest request, long maxBytes)
    {
        if (request.ContentLength is { } announced) CheckSize(announced, maxBytes, "The image");
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            buffer.Write(chunk, 0, read);
            CheckSize(buffer.Length, maxBytes, "The image");
        }
        return buffer.ToArray();
    }

    public static RequestRejectedException Unsupported(HttpRequest request, string accepted) =>
        string.IsNullOrEmpty(request.ContentType) && request.ContentLength is null or 0
            ? new RequestRejectedException($"The request has no body. Send {accepted}.")
            : new RequestRejectedException($"Content-Type '{request.ContentType}' is not supported here. Send {accepted}.",
                StatusCodes.Status415UnsupportedMediaType);

    static void CheckSize(long bytes, long maxBytes, string what)
    {
        if (bytes > maxBytes)
            throw new RequestRejectedException($"{what} is {bytes:N0} bytes or more; the limit is {maxBytes:N0} bytes per image.",
                StatusCodes.Status413PayloadTooLarge);
    }
}
