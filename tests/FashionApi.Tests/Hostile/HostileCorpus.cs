using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Pbm;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tga;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace FashionApi.Tests.Hostile;

/// <summary>One request as a hostile client might send it; <see cref="Name"/> says how it was made.
/// <see cref="MalformedHttp"/> marks requests that Kestrel itself refuses before the application sees them (its answer
/// has no body, and stays as it is).</summary>
public sealed record HostileRequest(string Name, HttpMethod Method, string Path, byte[]? Body = null, string? ContentType = null,
    IReadOnlyList<KeyValuePair<string, string>>? Headers = null, bool MalformedHttp = false)
{
    public HttpRequestMessage ToMessage()
    {
        var message = new HttpRequestMessage(Method, Path);
        if (Body is not null)
        {
            // As curl does for large bodies: the server can refuse one over its limit before it is sent.
            if (Body.Length > 64 * 1024) message.Headers.ExpectContinue = true;
            message.Content = new ByteArrayContent(Body);
            if (ContentType is not null) message.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
        }
        foreach (var (name, value) in Headers ?? [])
            if (!message.Headers.TryAddWithoutValidation(name, value)) message.Content?.Headers.TryAddWithoutValidation(name, value);
        return message;
    }

    public override string ToString() => $"{Name} ({Method} {Path}, {Body?.Length ?? 0} bytes, Content-Type {ContentType ?? "none"})";
}

/// <summary>
/// A deterministic corpus of malformed requests (same seed, same bytes): real Fashion-MNIST test images encoded as PNG
/// (several colour types, bit depths, interlaced), JPEG, BMP (1–32 bits), GIF, WebP, TIFF, TGA and PBM, then
/// truncated, bit-flipped, overwritten and given absurd header fields; PNG chunk tricks (1-byte IDAT chunks, lying chunk
/// lengths, text chunks); multipart and JSON edge cases; odd Content-Types, charsets and headers; odd routes and queries.
/// </summary>
public static class HostileCorpus
{
    public const int Seed = 20261201;

    /// <summary>The corpus for images taken from <paramref name="images"/> (28×28 grayscale pixel arrays).</summary>
    public static IReadOnlyList<HostileRequest> Generate(IReadOnlyList<byte[]> images, int seed = Seed)
    {
        var random = new Random(seed);
        var corpus = new List<HostileRequest>();
        var encoded = Encodings(images).ToList();
        foreach (var (name, mediaType, bytes) in encoded)
            foreach (var (mutation, mutated) in Mutations(name, bytes, random))
                corpus.Add(AsUpload(corpus.Count, $"{name} {mutation}", mediaType, mutated));
        corpus.AddRange(PngChunkTricks(encoded.First(e => e.Name == "png-l8-0").Bytes));
        corpus.AddRange(ContentTypes(encoded[0].Bytes));
        corpus.AddRange(Multipart(encoded[0].Bytes, random));
        corpus.AddRange(Json(random));
        corpus.AddRange(Training(random));
        corpus.AddRange(Routes());
        corpus.AddRange(OpenInference(encoded.First(e => e.Name == "png-l8-0").Bytes, random));
        return corpus;
    }

    /// <summary>A small valid PNG with a zTXt chunk (or an iTXt one) whose text inflates to
    /// <paramref name="inflatedBytes"/> zero bytes: about 1 MB of file for 1 GiB of text.</summary>
    public static byte[] MetadataBomb(byte[] png, long inflatedBytes = 1L << 30, bool international = false)
    {
        byte[] text = ZlibOfZeros(inflatedBytes);
        byte[] header = international ? "Comment\0\u0001\0\0\0"u8.ToArray() : "Comment\0\0"u8.ToArray();
        return InsertChunk(png, international ? "iTXt" : "zTXt", [.. header, .. text]);
    }

    /// <summary>The image's zlib stream split into IDAT chunks of one byte each (valid PNG; some decoders stumble).</summary>
    public static byte[] OneByteIdatChunks(byte[] png) => IdatChunksOf(png, 1);

    /// <summary>How many bytes of compressed pixel data the PNG's IDAT chunks hold.</summary>
    public static int IdatDataLength(byte[] png) => PngChunks(png).Where(c => c.Type == "IDAT").Sum(c => c.Length);

    /// <summary>The same PNG with its compressed pixel data in IDAT chunks of <paramref name="size"/> bytes (the last
    /// one shorter).</summary>
    public static byte[] IdatChunksOf(byte[] png, int size)
    {
        var chunks = PngChunks(png).ToList();
        var data = chunks.Where(c => c.Type == "IDAT").SelectMany(c => png.AsSpan(c.Offset + 8, c.Length).ToArray()).ToArray();
        var output = new MemoryStream();
        output.Write(png, 0, 8);
        foreach (var chunk in chunks)
        {
            if (chunk.Type == "IDAT") continue;
            if (chunk.Type == "IEND")
                foreach (var piece in data.Chunk(size)) output.Write(Chunk("IDAT", piece));
            output.Write(png, chunk.Offset, chunk.Length + 12);
        }
        return output.ToArray();
    }

    // ---- images ----------------------------------------------------------------------------------------------------

    static IEnumerable<(string Name, string MediaType, byte[] Bytes)> Encodings(IReadOnlyList<byte[]> images)
    {
        for (int i = 0; i < images.Count; i++)
        {
            using var grey = Image.LoadPixelData<L8>(images[i], 28, 28);
            using var colour = grey.CloneAs<Rgba32>();
            using var large = colour.Clone(x => x.Resize(61, 90));
            yield return ($"png-l8-{i}", "image/png", Encode(grey, new PngEncoder()));
            yield return ($"png-rgba-{i}", "image/png", Encode(colour, new PngEncoder { ColorType = PngColorType.RgbWithAlpha }));
            yield return ($"png-palette-{i}", "image/png", Encode(colour, new PngEncoder { ColorType = PngColorType.Palette }));
            yield return ($"png-16bit-interlaced-{i}", "image/png",
                Encode(large, new PngEncoder { ColorType = PngColorType.Rgb, BitDepth = PngBitDepth.Bit16, InterlaceMethod = PngInterlaceMode.Adam7 }));
            yield return ($"jpeg-{i}", "image/jpeg", Encode(grey, new JpegEncoder { Quality = 90 }));
            yield return ($"jpeg-colour-{i}", "image/jpeg", Encode(large, new JpegEncoder { Quality = 75, ColorType = JpegColorType.YCbCrRatio420 }));
            yield return ($"bmp-24-{i}", "image/bmp", Encode(colour, new BmpEncoder { BitsPerPixel = BmpBitsPerPixel.Pixel24 }));
            yield return ($"bmp-8-{i}", "image/bmp", Encode(grey, new BmpEncoder { BitsPerPixel = BmpBitsPerPixel.Pixel8 }));
            yield return ($"bmp-1-{i}", "image/bmp", Encode(grey, new BmpEncoder { BitsPerPixel = BmpBitsPerPixel.Pixel1 }));
            yield return ($"bmp-32-{i}", "image/bmp", Encode(large, new BmpEncoder { BitsPerPixel = BmpBitsPerPixel.Pixel32 }));
            yield return ($"gif-{i}", "image/gif", Encode(large, new GifEncoder()));
            yield return ($"webp-lossless-{i}", "image/webp", Encode(grey, new WebpEncoder { FileFormat = WebpFileFormatType.Lossless }));
            yield return ($"webp-lossy-{i}", "image/webp", Encode(large, new WebpEncoder { FileFormat = WebpFileFormatType.Lossy }));
            // Formats the service refuses (415): sent as what they are, and disguised as PNG.
            yield return ($"tiff-{i}", i % 2 == 0 ? "image/tiff" : "image/png", Encode(grey, new TiffEncoder()));
            yield return ($"tga-{i}", i % 2 == 0 ? "image/x-tga" : "image/png", Encode(colour, new TgaEncoder()));
            yield return ($"pbm-{i}", i % 2 == 0 ? "image/x-portable-bitmap" : "image/png", Encode(grey, new PbmEncoder()));
        }
    }

    static byte[] Encode(Image image, IImageEncoder encoder)
    {
        using var stream = new MemoryStream();
        image.Save(stream, encoder);
        return stream.ToArray();
    }

    static IEnumerable<(string Mutation, byte[] Bytes)> Mutations(string name, byte[] bytes, Random random)
    {
        yield return ("intact", bytes);
        foreach (int length in new[] { 1, 8, random.Next(9, 40), random.Next(40, bytes.Length), bytes.Length - 1 }.Where(n => n < bytes.Length))
            yield return ($"truncated to {length}", bytes[..length]);
        for (int k = 0; k < 4; k++)
        {
            var flipped = (byte[])bytes.Clone();
            int flips = 1 + random.Next(k == 0 ? 1 : 24);
            for (int f = 0; f < flips; f++)
                flipped[random.Next(Math.Min(flipped.Length, k % 2 == 0 ? 64 : flipped.Length))] ^= (byte)(1 << random.Next(8));
            yield return ($"{flips} bits flipped", flipped);
        }
        var overwritten = (byte[])bytes.Clone();
        random.NextBytes(overwritten.AsSpan(Math.Min(overwritten.Length - 1, 12 + random.Next(32))));
        yield return ("tail overwritten with noise", overwritten);
        foreach (var (field, edited) in HeaderEdits(name, bytes, random))
            yield return (field, edited);
    }

    static readonly uint[] Absurd = [0, 1, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF];

    /// <summary>Header fields set to values no encoder writes; for PNG with the CRC fixed so decoders look past it.</summary>
    static IEnumerable<(string Field, byte[] Bytes)> HeaderEdits(string name, byte[] bytes, Random random)
    {
        uint value = Absurd[random.Next(Absurd.Length)];
        if (name.StartsWith("png"))
        {
            foreach (var (field, offset, size) in new[] { ("width", 16, 4), ("height", 20, 4), ("bit depth", 24, 1), ("colour type", 25, 1), ("interlace", 28, 1) })
            {
                var edited = (byte[])bytes.Clone();
                if (size == 4) BinaryPrimitives.WriteUInt32BigEndian(edited.AsSpan(offset), value);
                else edited[offset] = (byte)random.Next(256);
                BinaryPrimitives.WriteUInt32BigEndian(edited.AsSpan(29), Crc32(edited.AsSpan(12, 17)));
                yield return ($"IHDR {field} absurd", edited);
            }
        }
        else if (name.StartsWith("bmp"))
        {
            foreach (var (field, offset) in new[] { ("pixel offset", 10), ("width", 18), ("height", 22), ("bits per pixel", 28), ("compression", 30), ("colours used", 46) })
            {
                var edited = (byte[])bytes.Clone();
                if (offset == 28) BinaryPrimitives.WriteUInt16LittleEndian(edited.AsSpan(offset), (ushort)value);
                else BinaryPrimitives.WriteUInt32LittleEndian(edited.AsSpan(offset), value);
                yield return ($"{field} absurd", edited);
            }
        }
        else if (name.StartsWith("gif"))
        {
            foreach (var (field, offset) in new[] { ("screen width", 6), ("screen height", 8), ("flags", 10) })
            {
                var edited = (byte[])bytes.Clone();
                BinaryPrimitives.WriteUInt16LittleEndian(edited.AsSpan(offset), (ushort)value);
                yield return ($"{field} absurd", edited);
            }
        }
        else if (name.StartsWith("jpeg") && IndexOf(bytes, [0xFF, 0xC0]) is var sof and >= 0)
        {
            foreach (var (field, offset) in new[] { ("SOF length", 2), ("height", 5), ("width", 7), ("components", 9) })
            {
                var edited = (byte[])bytes.Clone();
                if (offset == 9) edited[sof + offset] = (byte)random.Next(256);
                else BinaryPrimitives.WriteUInt16BigEndian(edited.AsSpan(sof + offset), (ushort)value);
                yield return ($"{field} absurd", edited);
            }
            int dht = IndexOf(bytes, [0xFF, 0xC4]);
            if (dht >= 0)
            {
                var edited = (byte[])bytes.Clone();
                BinaryPrimitives.WriteUInt16BigEndian(edited.AsSpan(dht + 2), (ushort)value);
                yield return ("DHT length absurd", edited);
            }
        }
        else if (name.StartsWith("webp"))
        {
            foreach (var (field, offset) in new[] { ("RIFF size", 4), ("chunk size", 16), ("bitstream header", 21), ("dimensions", 26) })
            {
                var edited = (byte[])bytes.Clone();
                BinaryPrimitives.WriteUInt32LittleEndian(edited.AsSpan(offset), value);
                yield return ($"{field} absurd", edited);
            }
        }
    }

    static HostileRequest AsUpload(int index, string name, string mediaType, byte[] bytes) => (index % 5) switch
    {
        4 => new(name + " as an Open Inference Protocol BYTES element", HttpMethod.Post, OipInfer,
            OipBinary($"{{\"inputs\":[{{\"name\":\"image\",\"shape\":[1],\"datatype\":\"BYTES\",\"parameters\":{{\"binary_data_size\":{bytes.Length + 4}}}}}]}}",
                [.. BitConverter.GetBytes((uint)bytes.Length), .. bytes], out var length), "application/octet-stream", [new(OipHeaderLength, length)]),
        0 or 1 => new(name + " as raw body", HttpMethod.Post, "/predict", bytes, mediaType),
        2 => new(name + " in multipart", HttpMethod.Post, "/predict", MultipartBody("b0undary", ("image", "x.img", mediaType, bytes)),
            "multipart/form-data; boundary=b0undary"),
        _ => new(name + " in a multipart batch after a good one", HttpMethod.Post, "/predict/batch",
            MultipartBody("b0undary", ("images", "first.png", "image/png", bytes), ("images", "x.img", mediaType, bytes)),
            "multipart/form-data; boundary=b0undary"),
    };

    static IEnumerable<HostileRequest> PngChunkTricks(byte[] png)
    {
        yield return new("PNG with 1-byte IDAT chunks", HttpMethod.Post, "/predict", OneByteIdatChunks(png), "image/png");
        yield return new("PNG with a zTXt chunk of 16 MiB inflated", HttpMethod.Post, "/predict", MetadataBomb(png, 16 << 20), "image/png");
        yield return new("PNG with an iTXt chunk of 16 MiB inflated", HttpMethod.Post, "/predict", MetadataBomb(png, 16 << 20, international: true), "image/png");
        foreach (uint length in Absurd)
        {
            var tricked = InsertChunk(png, "tEXt", "Comment\0hello"u8.ToArray());
            BinaryPrimitives.WriteUInt32BigEndian(tricked.AsSpan(33), length);
            yield return new($"PNG with a tEXt chunk claiming {length} bytes", HttpMethod.Post, "/predict", tricked, "image/png");
            var idat = (byte[])png.Clone();
            int offset = PngChunks(png).First(c => c.Type == "IDAT").Offset;
            BinaryPrimitives.WriteUInt32BigEndian(idat.AsSpan(offset), length);
            yield return new($"PNG with an IDAT chunk claiming {length} bytes", HttpMethod.Post, "/predict", idat, "image/png");
        }
        foreach (string type in new[] { "iCCP", "eXIf", "zTXt", "iTXt", "PLTE", "tRNS", "acTL", "fcTL", "IHDR", "IEND" })
            yield return new($"PNG with a garbage {type} chunk", HttpMethod.Post, "/predict", InsertChunk(png, type, Encoding.ASCII.GetBytes("x\0\0\0garbage-garbage")), "image/png");
        yield return new("PNG signature only", HttpMethod.Post, "/predict", png[..8], "image/png");
        yield return new("PNG without IEND", HttpMethod.Post, "/predict", png[..^12], "image/png");
        yield return new("PNG twice", HttpMethod.Post, "/predict", [.. png, .. png], "image/png");
    }

    // ---- Content-Types and headers ---------------------------------------------------------------------------------

    static IEnumerable<HostileRequest> ContentTypes(byte[] png)
    {
        string?[] types = [null, "", "image", "image/", "/png", "image/png; charset=bogus", "image/svg+xml", "image/tiff", "image/avif",
            "image/heic", "IMAGE/PNG", "application/octet-stream", "text/plain", "text/html; charset=utf-7", "application/xml",
            "application/x-www-form-urlencoded", "multipart/form-data", "multipart/form-data; boundary=", "multipart/mixed; boundary=x",
            ";;;", "image/png; image/jpeg", "application/json; charset=bogus", "application/json; charset=utf-7", "application/json; charset=",
            "application/json; charset=\"\"", "application/problem+json", "application/json; charset=utf-16"];
        foreach (string path in new[] { "/predict", "/predict/batch" })
            foreach (var type in types)
                yield return new($"PNG body sent as '{type ?? "(none)"}'", HttpMethod.Post, path, png, type);

        (string, string)[] headers = [("Content-Encoding", "gzip"), ("Content-Encoding", "br, deflate"), ("Transfer-Encoding", "gzip"),
            ("Expect", "100-continue"), ("X-Api-Key", new string('k', 10_000)), ("Accept", "image/png"), ("Accept-Charset", "utf-7"),
            ("Content-Language", "\u00ff\u00fe"), ("Range", "bytes=0-1"), ("X-Forwarded-For", "not-an-ip, 999.1.1.1")];
        foreach (var (name, value) in headers)
            yield return new($"PNG with header {name}", HttpMethod.Post, "/predict", png, "image/png", [new(name, value)],
                // Kestrel refuses a transfer coding other than chunked last (RFC 9112) and non-ASCII header values.
                MalformedHttp: name is "Transfer-Encoding" or "Content-Language");
    }

    // ---- multipart -------------------------------------------------------------------------------------------------

    static byte[] MultipartBody(string boundary, params (string Field, string FileName, string ContentType, byte[] Bytes)[] parts)
    {
        var body = new MemoryStream();
        foreach (var part in parts)
        {
            body.Write(Encoding.UTF8.GetBytes($"--{boundary}\r\nContent-Disposition: form-data; name=\"{part.Field}\"; filename=\"{part.FileName}\"\r\n" +
                                              $"Content-Type: {part.ContentType}\r\n\r\n"));
            body.Write(part.Bytes);
            body.Write("\r\n"u8);
        }
        body.Write(Encoding.ASCII.GetBytes($"--{boundary}--\r\n"));
        return body.ToArray();
    }

    static IEnumerable<HostileRequest> Multipart(byte[] png, Random random)
    {
        const string Type = "multipart/form-data; boundary=b0undary";
        byte[] good = MultipartBody("b0undary", ("image", "a.png", "image/png", png));
        string text = Encoding.Latin1.GetString(good);
        var bodies = new List<(string, byte[], string)>
        {
            ("no parts", "--b0undary--\r\n"u8.ToArray(), Type),
            ("empty body", [], Type),
            ("no final boundary", good[..^14], Type),
            ("boundary never appears", png, Type),
            ("wrong boundary", good, "multipart/form-data; boundary=other"),
            ("boundary of 300 characters", good, "multipart/form-data; boundary=" + new string('b', 300)),
            ("quoted empty boundary", good, "multipart/form-data; boundary=\"\""),
            ("form field instead of file", Encoding.Latin1.GetBytes(text.Replace("; filename=\"a.png\"", "")), Type),
            ("file in another field", Encoding.Latin1.GetBytes(text.Replace("name=\"image\"", "name=\"picture\"")), Type),
            ("part without Content-Disposition", Encoding.Latin1.GetBytes(text.Replace("Content-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\n", "")), Type),
            ("Content-Disposition garbage", Encoding.Latin1.GetBytes(text.Replace("form-data; name=\"image\"", ";;==\"\"")), Type),
            ("header without colon", Encoding.Latin1.GetBytes(text.Replace("Content-Type: image/png", "Content-Type image/png")), Type),
            ("100 headers in a part", Encoding.Latin1.GetBytes(text.Replace("Content-Type: image/png\r\n", string.Concat(Enumerable.Repeat("X-A: b\r\n", 100)))), Type),
            ("a 20 KB part header", Encoding.Latin1.GetBytes(text.Replace("Content-Type: image/png", "X-Long: " + new string('a', 20_000))), Type),
            ("LF instead of CRLF", Encoding.Latin1.GetBytes(text.Replace("\r\n", "\n")), Type),
            ("unicode file name", Encoding.UTF8.GetBytes(text.Replace("a.png", "\u00e9\u4e2d\ud83d\udc55.png")), Type),
            ("nested multipart", MultipartBody("b0undary", ("image", "n", "multipart/mixed; boundary=inner", good)), Type),
            ("empty file", MultipartBody("b0undary", ("image", "a.png", "image/png", [])), Type),
            ("preamble of 64 KB", [.. new byte[65536], .. good], Type),
            ("text file", MultipartBody("b0undary", ("image", "a.txt", "text/plain", "hello"u8.ToArray())), Type),
        };
        foreach (var (name, body, type) in bodies)
        {
            yield return new($"multipart: {name}", HttpMethod.Post, "/predict", body, type);
            yield return new($"multipart batch: {name}", HttpMethod.Post, "/predict/batch",
                Encoding.Latin1.GetBytes(Encoding.Latin1.GetString(body).Replace("name=\"image\"", "name=\"images\"")), type);
        }
        var many = Enumerable.Range(0, 300).Select(i => ("images", $"{i}.png", "image/png", png)).ToArray();
        yield return new("multipart batch of 300 images", HttpMethod.Post, "/predict/batch", MultipartBody("b0undary", many), Type);
        var empties = Enumerable.Range(0, 2000).Select(i => ("other", $"{i}", "text/plain", Array.Empty<byte>())).ToArray();
        yield return new("multipart of 2,000 empty parts", HttpMethod.Post, "/predict/batch", MultipartBody("b0undary", empties), Type);
        for (int i = 0; i < 20; i++)
        {
            var flipped = (byte[])good.Clone();
            for (int f = 0; f < 1 + random.Next(8); f++) flipped[random.Next(Math.Min(flipped.Length, 140))] ^= (byte)(1 << random.Next(8));
            yield return new($"multipart with flipped header bits #{i}", HttpMethod.Post, i % 2 == 0 ? "/predict" : "/predict/batch", flipped, Type);
            yield return new($"multipart truncated #{i}", HttpMethod.Post, "/predict", good[..random.Next(good.Length)], Type);
        }
    }

    // ---- JSON ------------------------------------------------------------------------------------------------------

    static IEnumerable<HostileRequest> Json(Random random)
    {
        string pixels = "[" + string.Join(",", Enumerable.Range(0, 784).Select(i => i % 256)) + "]";
        string[] single =
        [
            "", " ", "null", "true", "0", "\"pixels\"", "[]", "{}", "{\"pixels\":null}", "{\"pixels\":{}}", "{\"pixels\":\"abc\"}",
            "{\"pixels\":[1,2,3]}", "{\"pixels\":" + pixels[..^1] + ",1]}", "{\"pixels\":[" + string.Join(",", Enumerable.Repeat("1e309", 784)) + "]}",
            "{\"pixels\":[" + string.Join(",", Enumerable.Repeat("NaN", 784)) + "]}", "{\"pixels\":[" + string.Join(",", Enumerable.Repeat("-1", 784)) + "]}",
            "{\"pixels\":[" + string.Join(",", Enumerable.Repeat("\"1\"", 784)) + "]}", "{\"pixels\":[" + string.Join(",", Enumerable.Repeat("null", 784)) + "]}",
            "{\"pixels\":" + pixels + ",\"pixels\":" + pixels + "}", "{\"pixels\":" + pixels + "} trailing", "\ufeff{\"pixels\":" + pixels + "}",
            "{\"pixels\":" + pixels + ",\"extra\":" + new string('[', 5000) + new string(']', 5000) + "}",
            new string('[', 100_000), "{\"a\":" + new string('{', 3000), "{\"pixels\":[" + new string('1', 100_000) + "]}",
            "{\"pixels\":[1" + string.Concat(Enumerable.Repeat(",1", 200_000)) + "]}", "{'pixels': [1]}", "{\"pixels\":[0x10]}",
            "{\"pixels\":" + pixels.Replace(",", ",\u0000") + "}", "{\"\\ud800\":1}",
        ];
        string instances = "[" + string.Join(",", Enumerable.Repeat(pixels, 3)) + "]";
        string[] batch =
        [
            "{}", "{\"instances\":null}", "{\"instances\":[]}", "{\"instances\":[null]}", "{\"instances\":[[]]}", "{\"instances\":" + pixels + "}",
            "{\"instances\":[" + string.Join(",", Enumerable.Repeat("[]", 100_000)) + "]}",
            "{\"instances\":[" + string.Join(",", Enumerable.Repeat(pixels, 300)) + "]}", "{\"instances\":" + instances + ",\"instances\":7}",
            "{\"instances\":[" + pixels + "," + pixels[..^40] + "]}", "{\"instances\":" + instances.Replace("255", "2.5e38") + "}",
            "{\"instances\":" + new string('[', 200) + new string(']', 200) + "}",
        ];
        foreach (string body in single)
            yield return new($"JSON for /predict: {Describe(body)}", HttpMethod.Post, "/predict", Encoding.UTF8.GetBytes(body), "application/json");
        foreach (string body in batch)
            yield return new($"JSON for /predict/batch: {Describe(body)}", HttpMethod.Post, "/predict/batch", Encoding.UTF8.GetBytes(body), "application/json");
        foreach (string charset in new[] { "bogus", "utf-7", "", "\"\"", "utf-16", "utf-32", "iso-8859-1", "x-mac-klingon", "utf-8; charset=bogus" })
        {
            byte[] body = Encoding.UTF8.GetBytes("{\"pixels\":" + pixels + "}");
            yield return new($"JSON with charset '{charset}'", HttpMethod.Post, "/predict", body, $"application/json; charset={charset}");
            yield return new($"JSON batch with charset '{charset}'", HttpMethod.Post, "/predict/batch", body, $"application/json; charset={charset}");
            yield return new($"training JSON with charset '{charset}'", HttpMethod.Post, "/train", "{\"epochs\":0}"u8.ToArray(), $"application/json; charset={charset}");
        }
        yield return new("JSON batch over the JSON size limit", HttpMethod.Post, "/predict/batch",
            Encoding.UTF8.GetBytes("{\"instances\":[" + string.Join(",", Enumerable.Repeat("[" + string.Join(",", Enumerable.Repeat("0.0039215686274509803", 784)) + "]", 300)) + "]}"),
            "application/json");
        yield return new("JSON as UTF-16", HttpMethod.Post, "/predict", Encoding.Unicode.GetBytes("{\"pixels\":" + pixels + "}"), "application/json");
        for (int i = 0; i < 40; i++)
        {
            byte[] body = Encoding.UTF8.GetBytes(i % 2 == 0 ? "{\"pixels\":" + pixels + "}" : "{\"instances\":" + instances + "}");
            for (int f = 0; f < 1 + random.Next(6); f++) body[random.Next(body.Length)] = (byte)random.Next(256);
            yield return new($"JSON with random bytes #{i}", HttpMethod.Post, i % 2 == 0 ? "/predict" : "/predict/batch", body, "application/json");
        }
    }

    static IEnumerable<HostileRequest> Training(Random random)
    {
        // Every body here is invalid (so none queues a job), in a different way. (No body, or null, means the default
        // preset: valid.)
        string[] bodies =
        [
            "[]", "\"x\"", "{\"epochs\":0}", "{\"epochs\":1e10}", "{\"epochs\":\"five\"}", "{\"batchSize\":1}", "{\"batchSize\":0}",
            "{\"batchSize\":-5}", "{\"batchSize\":2147483648}", "{\"learningRate\":\"NaN\"}", "{\"learningRate\":1e400}", "{\"learningRate\":-1}",
            "{\"preset\":\"../../etc/passwd\"}", "{\"preset\":null,\"implementation\":\"\u0000\"}", "{\"optimizer\":\"rmsprop\"}", "{\"momentum\":1}",
            "{\"schedule\":[1]}", "{\"seed\":-1}", "{\"shuffle\":\"yes\"}", "{\"epochs\":0,\"unknown\":" + new string('[', 1000) + new string(']', 1000) + "}",
            "{\"epochs\":0" + string.Concat(Enumerable.Range(0, 5000).Select(i => $",\"f{i}\":{i}")) + "}", "{\"epochs\":0,\"epochs\":0}",
            "{\"weightDecay\":2}", "{\"epochs\":", "{\"epochs\":0}}", "{\"preset\":\"" + new string('a', 10_000) + "\"}",
        ];
        foreach (string body in bodies)
            yield return new($"training JSON: {Describe(body)}", HttpMethod.Post, "/train", Encoding.UTF8.GetBytes(body), "application/json");
        yield return new("training with a 1 MB body", HttpMethod.Post, "/train", Encoding.UTF8.GetBytes("{\"preset\":\"" + new string('a', 1 << 20) + "\"}"), "application/json");
        yield return new("training as text/plain", HttpMethod.Post, "/train", "{\"epochs\":0}"u8.ToArray(), "text/plain");
        yield return new("training as form", HttpMethod.Post, "/train", "epochs=0"u8.ToArray(), "application/x-www-form-urlencoded");
        for (int i = 0; i < 20; i++)
        {
            byte[] body = Encoding.UTF8.GetBytes("{\"epochs\":0,\"batchSize\":256,\"optimizer\":\"adam\",\"learningRate\":0.01}");
            // Never in the leading {"epochs":0, so no mutation makes a valid request that would queue a job.
            for (int f = 0; f < 1 + random.Next(4); f++) body[random.Next(12, body.Length)] = (byte)random.Next(32, 127);
            yield return new($"training JSON with random characters #{i}", HttpMethod.Post, "/train", body, "application/json");
        }
    }

    static IEnumerable<HostileRequest> Routes()
    {
        string[] paths = ["/predict?invert=%00", "/predict?invert=" + new string('x', 5000), "/predict?invert=true&invert=false", "/predict/../predict",
            "/predict/%2e%2e/train", "/predict//batch", "/PREDICT", "/predict/batch/extra", "/predict?%zz=1"];
        foreach (string path in paths)
            // Invalid for every endpoint, since dot segments can lead to /train.
            yield return new($"route {Describe(path)}", HttpMethod.Post, path, "{\"epochs\":0}"u8.ToArray(), "application/json");
        yield return new("GET /predict", HttpMethod.Get, "/predict");
        yield return new("PUT /train", HttpMethod.Put, "/train", "{}"u8.ToArray(), "application/json");
        yield return new("DELETE an unknown job with a long id", HttpMethod.Delete, "/train/" + new string('9', 3000));
        // Kestrel refuses a NUL in the path itself.
        yield return new("DELETE a job id with odd characters", HttpMethod.Delete, "/train/%00%ff%2F..", MalformedHttp: true);
        yield return new("GET a job id with odd characters", HttpMethod.Get, "/train/%C0%AF");
        yield return new("activate a version outside the store", HttpMethod.Post, "/models/..%2F..%2Fetc/activate");
        yield return new("activate a version with a NUL", HttpMethod.Post, "/models/a%00b/activate", MalformedHttp: true);
        yield return new("activate an absurdly long version", HttpMethod.Post, "/models/" + new string('v', 4000) + "/activate");
        yield return new("activate an unknown version", HttpMethod.Post, "/models/20260101-000000-000-scratch-000000/activate");
        yield return new("export a version outside the store as ONNX", HttpMethod.Get, "/models/..%2F..%2Fetc/onnx");
        yield return new("export a version whose name is a dot segment as ONNX", HttpMethod.Get, "/models/%2e%2e/onnx");
        yield return new("export an absurdly long version as ONNX", HttpMethod.Get, "/models/" + new string('v', 4000) + "/onnx");
    }

    // ---- Open Inference Protocol ------------------------------------------------------------------------------------

    const string OipInfer = "/v2/models/fashion-mnist/infer", OipHeaderLength = "Inference-Header-Content-Length";

    /// <summary>A binary-extension body: the JSON header, then the binary data; <paramref name="headerLength"/> is the
    /// header's length for Inference-Header-Content-Length.</summary>
    static byte[] OipBinary(string json, byte[] binary, out string headerLength)
    {
        byte[] header = Encoding.UTF8.GetBytes(json);
        headerLength = header.Length.ToString();
        return [.. header, .. binary];
    }

    static IEnumerable<HostileRequest> OpenInference(byte[] png, Random random)
    {
        string pixels = string.Join(",", Enumerable.Range(0, 784).Select(i => i % 256));
        string Input(string name, string shape, string datatype, string data) =>
            $"{{\"inputs\":[{{\"name\":\"{name}\",\"shape\":{shape},\"datatype\":\"{datatype}\",\"data\":{data}}}]}}";
        string[] json =
        [
            "", "null", "[]", "{}", "{\"inputs\":null}", "{\"inputs\":[null]}", "{\"inputs\":[{}]}", "{\"inputs\":7}", "{\"inputs\":[],\"outputs\":[null]}",
            Input("pixels", "[1,784]", "UINT8", $"[{pixels}]").Replace("]}]}", "]}],\"outputs\":[{\"name\":\"x\"}]}"),
            Input("pixels", "[9223372036854775807,784]", "UINT8", $"[{pixels}]"), Input("pixels", "[-1,784]", "UINT8", $"[{pixels}]"),
            Input("pixels", "[1e3,784]", "UINT8", $"[{pixels}]"), Input("pixels", "[]", "UINT8", $"[{pixels}]"), Input("pixels", "[1,784,1,1,1]", "UINT8", $"[{pixels}]"),
            Input("pixels", "[1,784]", "FP16", $"[{pixels}]"), Input("pixels", "[1,784]", "BOOL", "[true]"), Input("pixels", "[1,784]", "\u0000", "[1]"),
            Input("pixels", "[1,784]", "FP32", $"[{string.Join(",", Enumerable.Repeat("1e39", 784))}]"),
            Input("pixels", "[1,784]", "FP32", $"[{string.Join(",", Enumerable.Repeat("-0.5", 784))}]"),
            Input("pixels", "[1,784]", "UINT8", $"[{string.Join(",", Enumerable.Repeat("\"1\"", 784))}]"),
            Input("pixels", "[1,784]", "UINT8", new string('[', 10_000) + new string(']', 10_000)),
            Input("pixels", "[1,784]", "UINT8", "{\"a\":1}"), Input("pixels", "[1,784]", "UINT8", "[null]"), Input("pixels", "[1,784]", "UINT8", "[[1,\"AAAA\"]]"),
            Input("pixels", "[300,784]", "UINT8", $"[{string.Join(",", Enumerable.Repeat(pixels, 300))}]"),
            Input("image", "[1]", "BYTES", "[\"!!!\"]"), Input("image", "[1]", "BYTES", "[\"\"]"), Input("image", "[1,1]", "BYTES", $"[\"{Convert.ToBase64String(png)}\"]"),
            Input("image", "[2]", "BYTES", $"[\"{Convert.ToBase64String(png)}\"]"), Input("image", "[1]", "BYTES", $"[\"{Convert.ToBase64String(png[..(png.Length / 2)])}\"]"),
            Input("image", "[1]", "UINT8", $"[\"{Convert.ToBase64String(png)}\"]"),
            "{\"parameters\":{\"invert\":[1]}," + Input("pixels", "[1,784]", "UINT8", $"[{pixels}]")[1..],
            "{\"parameters\":{\"binary_data_output\":\"yes\"}," + Input("pixels", "[1,784]", "UINT8", $"[{pixels}]")[1..],
            "{\"id\":" + new string('9', 5000) + "," + Input("pixels", "[1,784]", "UINT8", $"[{pixels}]")[1..],
        ];
        foreach (string body in json)
            yield return new($"OIP JSON: {Describe(body)}", HttpMethod.Post, OipInfer, Encoding.UTF8.GetBytes(body), "application/json");

        string header = "{\"inputs\":[{\"name\":\"pixels\",\"shape\":[1,784],\"datatype\":\"UINT8\",\"parameters\":{\"binary_data_size\":784}}],"
                        + "\"outputs\":[{\"name\":\"probabilities\",\"parameters\":{\"binary_data\":true}}]}";
        byte[] good = OipBinary(header, new byte[784], out string goodLength);
        foreach (string length in new[] { "", "-1", "0", "abc", "1e3", "99999999999", int.MaxValue.ToString(), (good.Length + 1).ToString(), "5", " 12", "0x10" })
            yield return new($"OIP binary with {OipHeaderLength} '{length}'", HttpMethod.Post, OipInfer, good, "application/octet-stream", [new(OipHeaderLength, length)]);
        foreach (string size in new[] { "-1", "783", "785", "1e9", "9223372036854775807", "\"784\"", "null", "true" })
            yield return new($"OIP binary with binary_data_size {size}", HttpMethod.Post, OipInfer,
                OipBinary(header.Replace("\"binary_data_size\":784", $"\"binary_data_size\":{size}"), new byte[784], out var l), "application/octet-stream", [new(OipHeaderLength, l)]);
        foreach (uint claimed in Absurd)
        {
            string bytesHeader = $"{{\"inputs\":[{{\"name\":\"image\",\"shape\":[1],\"datatype\":\"BYTES\",\"parameters\":{{\"binary_data_size\":{png.Length + 4}}}}}]}}";
            byte[] element = [.. BitConverter.GetBytes(claimed), .. png];
            yield return new($"OIP BYTES element claiming {claimed} bytes", HttpMethod.Post, OipInfer, OipBinary(bytesHeader, element, out var l), "application/octet-stream",
                [new(OipHeaderLength, l)]);
        }
        var many = Enumerable.Range(0, 300).SelectMany(_ => (byte[])[.. BitConverter.GetBytes((uint)png.Length), .. png]).ToArray();
        yield return new("OIP 300 BYTES elements", HttpMethod.Post, OipInfer,
            OipBinary($"{{\"inputs\":[{{\"name\":\"image\",\"shape\":[300],\"datatype\":\"BYTES\",\"parameters\":{{\"binary_data_size\":{many.Length}}}}}]}}", many, out var manyLength),
            "application/octet-stream", [new(OipHeaderLength, manyLength)]);
        yield return new("OIP binary over the size limit", HttpMethod.Post, OipInfer, new byte[17 * 1024 * 1024], "application/octet-stream", [new(OipHeaderLength, "10")]);
        yield return new("OIP infer without a body", HttpMethod.Post, OipInfer);
        for (int i = 0; i < 30; i++)
        {
            var flipped = (byte[])good.Clone();
            for (int f = 0; f < 1 + random.Next(6); f++) flipped[random.Next(flipped.Length)] ^= (byte)(1 << random.Next(8));
            yield return new($"OIP binary with flipped bits #{i}", HttpMethod.Post, OipInfer, flipped, "application/octet-stream", [new(OipHeaderLength, goodLength)]);
        }
        foreach (string path in new[] { "/v2/models/" + new string('m', 4000), "/v2/models/fashion-mnist/versions/" + new string('v', 4000) + "/infer",
                     "/v2/models/fashion-mnist/versions/..%2F..%2Fetc/infer", "/v2/models/fashion-mnist/versions/%2e%2e/ready", "/v2/models/%C0%AF/ready",
                     "/v2/models/fashion-mnist/versions//infer", "/v2/health/nope", "/v2/models/fashion-mnist/infer/extra" })
            yield return new($"OIP route {Describe(path)}", path.EndsWith("infer") ? HttpMethod.Post : HttpMethod.Get, path,
                path.EndsWith("infer") ? good : null, "application/octet-stream", [new(OipHeaderLength, goodLength)]);
    }

    static string Describe(string body) => body.Length <= 40 ? body : $"{body[..30]}… ({body.Length:N0} characters)";

    // ---- PNG chunks ------------------------------------------------------------------------------------------------

    static IEnumerable<(string Type, int Offset, int Length)> PngChunks(byte[] png)
    {
        for (int offset = 8; offset + 12 <= png.Length;)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(offset));
            yield return (Encoding.ASCII.GetString(png, offset + 4, 4), offset, length);
            offset += length + 12;
        }
    }

    static byte[] Chunk(string type, byte[] data)
    {
        var chunk = new byte[data.Length + 12];
        BinaryPrimitives.WriteInt32BigEndian(chunk, data.Length);
        Encoding.ASCII.GetBytes(type, chunk.AsSpan(4));
        data.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32(chunk.AsSpan(4, data.Length + 4)));
        return chunk;
    }

    /// <summary>The chunk goes right after IHDR (8 + 25 bytes), where text and colour chunks usually are.</summary>
    static byte[] InsertChunk(byte[] png, string type, byte[] data) => [.. png.AsSpan(0, 33), .. Chunk(type, data), .. png.AsSpan(33)];

    /// <summary>A zlib stream of <paramref name="count"/> zero bytes, built from one compressed mebibyte repeated: the
    /// window holds only zeros, so each repetition decodes to the same zeros. About 1 KB per MiB.</summary>
    static byte[] ZlibOfZeros(long count)
    {
        const int Block = 1 << 20;
        byte[] unit;
        var sink = new MemoryStream();
        using (var deflate = new DeflateStream(sink, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            deflate.Write(new byte[Block]);
            deflate.Flush(); // a sync flush: ends on a byte boundary without a final block, so copies can follow
            unit = sink.ToArray(); // before Dispose appends the final block
        }
        var output = new MemoryStream();
        output.Write([0x78, 0xDA]);
        for (long done = 0; done < count; done += Block) output.Write(unit);
        output.Write([0x03, 0x00]); // an empty final block (fixed Huffman)
        long total = (count + Block - 1) / Block * Block;
        uint adler = (uint)(total % 65521) << 16 | 1; // Adler-32 of zeros: a = 1, b = n mod 65521
        var trailer = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(trailer, adler);
        output.Write(trailer);
        return output.ToArray();
    }

    static int IndexOf(byte[] bytes, byte[] pattern) => bytes.AsSpan().IndexOf(pattern);

    static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        uint c = (uint)n;
        for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFF;
        foreach (byte b in data) c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFF;
    }
}
