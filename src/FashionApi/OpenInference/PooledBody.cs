using System.Buffers;
using FashionApi.Hosting;
using Microsoft.AspNetCore.Http.Features;

namespace FashionApi.OpenInference;

/// <summary>
/// A whole request body in one buffer rented from the shared pool, read once: the JSON header is parsed from it and
/// binary tensors are slices of it, so the bytes are never copied again. The size is checked before anything is read
/// (<c>Content-Length</c>, and Kestrel's limit lowered to it) and as a chunked body arrives. Returned to the pool when
/// the response has been sent.
/// </summary>
public sealed class PooledBody : IDisposable
{
    byte[]? buffer;

    PooledBody(byte[] buffer, int length)
    {
        this.buffer = buffer;
        Length = length;
    }

    public int Length { get; }
    public ReadOnlyMemory<byte> Memory => (buffer ?? throw new ObjectDisposedException(nameof(PooledBody))).AsMemory(0, Length);

    public static async Task<PooledBody> ReadAsync(HttpRequest request, int maxBytes)
    {
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = Math.Min(limit.MaxRequestBodySize ?? long.MaxValue, maxBytes + 1L);
        long? announced = request.ContentLength;
        if (announced > maxBytes) throw TooLarge(announced.Value, maxBytes);

        var cancellation = request.HttpContext.RequestAborted;
        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)Math.Max(1, announced ?? 16 * 1024));
        int filled = 0;
        try
        {
            while (true)
            {
                if (filled == buffer.Length)
                {
                    if (announced is not null || filled > maxBytes) break; // all announced bytes, or the limit passed
                    // Chunked: grow (a copy, only for bodies that did not say their length).
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(2L * buffer.Length, maxBytes + 1L));
                    buffer.AsSpan(0, filled).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                int read = await ReadAsync(request.Body, buffer.AsMemory(filled, announced is { } n ? (int)n - filled : buffer.Length - filled), cancellation);
                if (read == 0) break;
                filled += read;
                if (filled > maxBytes) throw TooLarge(filled, maxBytes);
            }
            if (filled == 0)
                throw new RequestRejectedException(RejectionReason.EmptyBody, "The request has no body; send an inference request (JSON, optionally followed by binary tensor data).");
            return new PooledBody(buffer, filled);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>Kestrel reports a chunk size that overflows as a plain IOException: the body cannot be read.</summary>
    static async ValueTask<int> ReadAsync(Stream body, Memory<byte> into, CancellationToken cancellation)
    {
        if (into.Length == 0) return 0;
        try
        {
            return await body.ReadAsync(into, cancellation);
        }
        catch (IOException e) when (e is not BadHttpRequestException && !cancellation.IsCancellationRequested)
        {
            throw new RequestRejectedException(RejectionReason.MalformedHttp, $"The request body could not be read: {e.Message}", inner: e);
        }
    }

    static RequestRejectedException TooLarge(long bytes, int maxBytes) => new(RejectionReason.BodyTooLarge,
        $"The inference request is {bytes:N0} bytes or more; the limit is {maxBytes:N0} bytes (OpenInference:MaxRequestBytes).",
        StatusCodes.Status413PayloadTooLarge);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref buffer, null) is { } rented) ArrayPool<byte>.Shared.Return(rented);
    }
}
