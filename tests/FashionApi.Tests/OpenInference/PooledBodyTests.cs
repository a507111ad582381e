using System.Runtime.InteropServices;
using FashionApi.Hosting;
using FashionApi.OpenInference;
using Microsoft.AspNetCore.Http;

namespace FashionApi.Tests.OpenInference;

/// <summary>The infer body's buffer follows the bytes that arrive, not the length a client announces.</summary>
public class PooledBodyTests
{
    const int Limit = 16 * 1024 * 1024;

    static HttpRequest Request(long? announced, byte[] sent)
    {
        var context = new DefaultHttpContext();
        context.Request.ContentLength = announced;
        context.Request.Body = new MemoryStream(sent);
        return context.Request;
    }

    static int Capacity(PooledBody body) =>
        MemoryMarshal.TryGetArray(body.Memory, out var segment) ? segment.Array!.Length : throw new InvalidOperationException();

    [Fact]
    public async Task Announcing_16_MB_and_sending_one_byte_holds_at_most_1_MiB()
    {
        using var body = await PooledBody.ReadAsync(Request(Limit, [42]), Limit);
        Assert.Equal(1, body.Length);
        Assert.True(Capacity(body) <= 1024 * 1024, $"buffer of {Capacity(body):N0} bytes for a 1-byte body");
    }

    [Theory]
    [InlineData(200_000, true)]
    [InlineData(3_000_000, true)]
    [InlineData(3_000_000, false)]
    public async Task A_whole_body_is_read_byte_for_byte_with_or_without_its_length(int size, bool announce)
    {
        var sent = new byte[size];
        new Random(size).NextBytes(sent);
        using var body = await PooledBody.ReadAsync(Request(announce ? size : null, sent), Limit);
        Assert.True(body.Memory.Span.SequenceEqual(sent));
    }

    [Fact]
    public async Task A_body_past_the_limit_is_a_413_whether_announced_or_not()
    {
        var sent = new byte[1025];
        var announced = await Assert.ThrowsAsync<RequestRejectedException>(() => PooledBody.ReadAsync(Request(sent.Length, sent), 1024));
        var chunked = await Assert.ThrowsAsync<RequestRejectedException>(() => PooledBody.ReadAsync(Request(null, sent), 1024));
        Assert.Equal(StatusCodes.Status413PayloadTooLarge, announced.StatusCode);
        Assert.Equal(StatusCodes.Status413PayloadTooLarge, chunked.StatusCode);
    }
}
