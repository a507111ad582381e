using System.Buffers.Binary;
using System.Net.Http.Headers;
using System.Text;

namespace FashionApi.Tests.OpenInference;

/// <summary>Builds a body as the binary tensor data extension's own example lays it out: the JSON, then each binary
/// input's bytes, with <c>Inference-Header-Content-Length</c> giving the JSON's length.</summary>
public static class BinaryInferRequest
{
    public static HttpContent Create(string json, params byte[][] binary)
    {
        byte[] header = Encoding.UTF8.GetBytes(json);
        var content = new ByteArrayContent([.. header, .. binary.SelectMany(b => b)]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.TryAddWithoutValidation("Inference-Header-Content-Length", header.Length.ToString());
        return content;
    }

    /// <summary>BYTES elements in binary form: each a 4-byte little-endian length, then the bytes.</summary>
    public static byte[] Elements(IEnumerable<byte[]> elements)
    {
        var bytes = new List<byte>();
        foreach (var element in elements)
        {
            var length = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)element.Length);
            bytes.AddRange(length);
            bytes.AddRange(element);
        }
        return bytes.ToArray();
    }

    /// <summary>Splits a binary response into its JSON header and the bytes after it.</summary>
    public static async Task<(System.Text.Json.JsonElement Header, byte[] Binary)> ReadAsync(HttpResponseMessage response)
    {
        byte[] body = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {Encoding.UTF8.GetString(body)}");
        int length = int.Parse(Assert.Single(response.Headers.GetValues("Inference-Header-Content-Length")));
        return (System.Text.Json.JsonDocument.Parse(body.AsMemory(0, length)).RootElement, body[length..]);
    }
}
