using System.Buffers;
using FashionApi.Hosting;
using Microsoft.AspNetCore.Http.Features;

namespace FashionApi.OpenInference;

/// <summary>
/// A whole request body in one pooled buffer, read once: the JSON header is parsed from it and binary tensors are
/// slices of it, so the bytes are not copied again. The size is checked before anything is read (<c>Content-Length</c>,
/// and Kestrel's limit lowered to it) and as the body arrives. Returned to the pool when the response has been sent.
/// </summary>
public sealed class PooledBody : IDisposable
{
    /// <summary>Up to this size the announced length is taken at its word (one buffer, no copy: a 256-image binary
    /// request is 200 KB). Beyond it the buffer grows only as bytes arrive, so a client that announces 16 MB and sends
    /// one byte holds 1 MiB, not 16.</summary>
    const int TrustedAnnouncedBytes = 1024 * 1024;

    /// <summary>A pool of its own that keeps at most a few arrays of each size up to 1 MiB; larger arrays are
    /// allocated and left to the GC. The shared pool would keep a burst of multi-megabyte buffers per core for good
    /// (measured: 277 MB still held after 30 hostile connections, and the next legitimate requests ran out of memory).</summary>
    static readonly ArrayPool<byte> Buffers = ArrayPool<byte>.Create(maxArrayLength: TrustedAnnouncedBytes, maxArraysPerBucket: 8);

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
        // Read until the announced length (or, chunked, the end), plus one byte past the limit to detect excess.
        long expected = announced ?? maxBytes + 1L;
        byte[] buffer = Buffers.Rent((int)Math.Clamp(expected, 1, announced is null ? 16 * 1024 : TrustedAnnouncedBytes));
        int filled = 0;
        try
        {
            while (filled < expected)
            {
                if (filled == buffer.Length)
                {
                    // Grow as bytes arrive: a copy, only for bodies over 1 MiB or without a length.
                    var larger = Buffers.Rent((int)Math.Min(2L * buffer.Length, expected));
                    buffer.AsSpan(0, filled).CopyTo(larger);
                    Buffers.Return(buffer);
                    buffer = larger;
                }
                int read = await ReadAsync(request.Body, buffer.AsMemory(filled, (int)Math.Min(buffer.Length, expected) - filled), cancellation);
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
            Buffers.Return(buffer);
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
        if (Interlocked.Exchange(ref buffer, null) is { } rented) Buffers.Return(rented);
    }
}
