using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using FashionApi.Dataset;
using FashionApi.Predictions;
using FashionApi.Tests.Infrastructure;
using Xunit.Abstractions;
using static FashionApi.Tests.Infrastructure.HttpAssertions;

namespace FashionApi.Tests.Hostile;

/// <summary>Runs alone (not beside other test classes), so its time and memory readings are the server's own.</summary>
[CollectionDefinition(nameof(HostileInputCollection), DisableParallelization = true)]
public sealed class HostileInputCollection;

/// <summary>The generated corpus and the worst single inputs, sent to the real service over real Kestrel.</summary>
[Collection(nameof(HostileInputCollection))]
public sealed class HostileInputTests(ITestOutputHelper output) : IAsyncLifetime
{
    const long MiB = 1024 * 1024;
    // Training routes get invalid bodies only; the limit on them must not turn the corpus's many into 429s.
    readonly FashionApiFactory factory = new(seedModel: true, new() { ["FashionApi:ManagementRequestsPerMinute"] = "0" });
    Uri address = null!;
    HttpClient client = null!;

    static byte[] TestPng => TestData.Png(TestData.FashionMnist.Test.Image(0));

    public async Task InitializeAsync()
    {
        address = factory.StartKestrel();
        client = await factory.CreateReadyClientAsync(address);
    }

    public Task DisposeAsync()
    {
        client.Dispose();
        factory.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task No_request_of_the_generated_corpus_gets_a_5xx_and_every_refusal_is_a_problem_with_a_detail()
    {
        var images = Enumerable.Range(0, 4).Select(i => TestData.FashionMnist.Test.Image(i).ToArray()).ToList();
        var corpus = HostileCorpus.Generate(images);
        Assert.True(corpus.Count >= 1000, $"the corpus has {corpus.Count} requests");
        Assert.Equal(corpus.Select(r => r.ToString()), HostileCorpus.Generate(images).Select(r => r.ToString())); // deterministic

        await SendAllAsync(corpus.Take(50)); // warm-up: first-call costs are not what is measured
        GC.Collect();
        long rssBefore = ProcessMemory.Rss;
        var (worstCpu, worstPeak, statuses) = await SendAllAsync(corpus);
        GC.Collect();
        long rssAfter = ProcessMemory.Rss;

        output.WriteLine($"{corpus.Count} requests: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}");
        output.WriteLine($"worst CPU {worstCpu.Request}: {worstCpu.Value.TotalMilliseconds:F0} ms; worst peak {worstPeak.Request}: +{worstPeak.Value / MiB} MiB");
        output.WriteLine($"RSS {rssBefore / MiB} MiB before the pass, {rssAfter / MiB} MiB after");
        Assert.True(worstCpu.Value < TimeSpan.FromSeconds(1), $"{worstCpu.Request} cost {worstCpu.Value.TotalMilliseconds:F0} ms of CPU");
        Assert.True(worstPeak.Value <= 64 * MiB, $"{worstPeak.Request} raised peak memory by {worstPeak.Value / MiB} MiB");
        Assert.True(rssAfter - rssBefore < 100 * MiB, $"RSS grew from {rssBefore / MiB} to {rssAfter / MiB} MiB over the corpus");
        Assert.True(statuses.Keys.Count(s => s >= 400) >= 5, "the corpus should provoke several kinds of refusal");
    }

    /// <summary>Sends each request on its own and checks the answer; returns the costliest request by process CPU time
    /// and by rise of peak RSS (everything else in this process is idle meanwhile).</summary>
    async Task<((string Request, TimeSpan Value) Cpu, (string Request, long Value) Peak, Dictionary<int, int> Statuses)> SendAllAsync(
        IEnumerable<HostileRequest> requests)
    {
        (string, TimeSpan) worstCpu = ("", TimeSpan.Zero);
        (string, long) worstPeak = ("", 0);
        var statuses = new Dictionary<int, int>();
        foreach (var request in requests)
        {
            long rss = ProcessMemory.Rss;
            ProcessMemory.ResetPeak();
            var cpu = ProcessMemory.Cpu;
            using var message = request.ToMessage();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            HttpResponseMessage response;
            string body;
            try
            {
                response = await client.SendAsync(message, timeout.Token);
                body = await response.Content.ReadAsStringAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"{request}: no answer within 30 s");
            }
            catch (HttpRequestException e)
            {
                throw new HttpRequestException($"{request}: {e.Message} {e.InnerException?.Message}", e);
            }
            using var _ = response;
            var spent = ProcessMemory.Cpu - cpu;
            long rise = ProcessMemory.Peak - rss;
            if (spent > worstCpu.Item2) worstCpu = (request.ToString(), spent);
            if (rise > worstPeak.Item2) worstPeak = (request.ToString(), rise);

            int status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            Assert.True(status < 500, $"{request}: {status} {body}");
            Assert.True(!request.MalformedHttp || status == 400, $"{request}: {status} {body}");
            if (status >= 400 && !request.MalformedHttp)
            {
                Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", $"{request}: {status} without problem details: {body}");
                var detail = JsonDocument.Parse(body).RootElement.TryGetProperty("detail", out var d) ? d.GetString() : null;
                Assert.False(string.IsNullOrWhiteSpace(detail), $"{request}: {status} without a detail: {body}");
            }
        }
        return (worstCpu, worstPeak, statuses);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_png_whose_text_chunk_inflates_to_a_gigabyte_is_answered_within_a_second_without_inflating_it(bool international)
    {
        byte[] bomb = HostileCorpus.MetadataBomb(TestPng, 1_000_000_000, international); // 1 GB of text
        Assert.InRange(bomb.Length, 900_000, 1024 * 1024); // about 1 MB: under the default 1 MiB limit
        await (await client.PostAsync("/predict", ImageContent(TestPng))).AssertOkJsonAsync(); // warm

        long rss = ProcessMemory.Rss;
        ProcessMemory.ResetPeak();
        var cpu = ProcessMemory.Cpu;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var prediction = await (await client.PostAsync("/predict", ImageContent(bomb))).AssertOkJsonAsync();
        var elapsed = clock.Elapsed;
        var spent = ProcessMemory.Cpu - cpu;
        long rise = ProcessMemory.Peak - rss;
        output.WriteLine($"answered in {elapsed.TotalMilliseconds:F0} ms, {spent.TotalMilliseconds:F0} ms of CPU, peak +{rise / MiB} MiB");

        // The pixels are read, the text never is: the same answer as for the image without it.
        var plain = await (await client.PostAsync("/predict", ImageContent(TestPng))).AssertOkJsonAsync();
        Assert.Equal(plain.GetProperty("probabilities").ToString(), prediction.GetProperty("probabilities").ToString());
        Assert.True(spent < TimeSpan.FromSeconds(1), $"{spent.TotalMilliseconds:F0} ms of CPU");
        Assert.True(elapsed < TimeSpan.FromSeconds(1), $"answered after {elapsed.TotalMilliseconds:F0} ms");
        Assert.True(rise < 64 * MiB, $"peak RSS rose by {rise / MiB} MiB");
    }

    [Fact]
    public void The_metadata_bomb_really_inflates()
    {
        byte[] bomb = HostileCorpus.MetadataBomb(TestPng, 16 * MiB);
        int start = 33 + 8 + "Comment\0\0".Length;
        using var inflate = new System.IO.Compression.ZLibStream(new MemoryStream(bomb, start, bomb.Length - start), System.IO.Compression.CompressionMode.Decompress);
        long total = 0;
        var buffer = new byte[1 << 16];
        for (int read; (read = inflate.Read(buffer)) > 0; total += read)
            Assert.True(buffer.AsSpan(0, read).IndexOfAnyExcept((byte)0) < 0);
        Assert.Equal(16 * MiB, total);
    }

    [Fact]
    public async Task A_png_split_into_one_byte_idat_chunks_is_read_like_the_same_image_in_one_chunk()
    {
        // A valid PNG that ImageSharp 2.1.13's inflater cannot read by itself (it indexes past its buffer).
        byte[] split = HostileCorpus.OneByteIdatChunks(TestPng);
        Assert.True(split.Length > TestPng.Length + 100 * 12, "the test image should be split into many chunks");
        var prediction = await (await client.PostAsync("/predict", ImageContent(split))).AssertOkJsonAsync();
        var plain = await (await client.PostAsync("/predict", ImageContent(TestPng))).AssertOkJsonAsync();
        Assert.Equal(plain.GetProperty("probabilities").ToString(), prediction.GetProperty("probabilities").ToString());
    }

    [Theory]
    [InlineData("/predict", "image/png")]
    [InlineData("/predict", "application/json")]
    [InlineData("/predict/batch", "application/json")]
    [InlineData("/predict/batch", "multipart/form-data; boundary=x")]
    [InlineData("/train", "application/json")]
    public async Task A_chunked_body_with_an_overflowing_chunk_size_gets_kestrels_400(string path, string contentType)
    {
        string response = await RawAsync($"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: {contentType}\r\n" +
                                         "Transfer-Encoding: chunked\r\n\r\n1FFFFFFFFFFFFFFFFFFFF\r\nabc\r\n0\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 400", response);
    }

    [Fact]
    public async Task A_body_shorter_than_its_content_length_is_not_a_5xx()
    {
        string response = await RawAsync("POST /predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/png\r\nContent-Length: 5000\r\n\r\n\x89PNG",
            halfClose: true);
        Assert.True(response.Length == 0 || response.StartsWith("HTTP/1.1 4"), response);
    }

    [Fact]
    public async Task A_json_batch_streamed_past_its_size_limit_is_a_413_before_it_is_parsed()
    {
        // Chunked, so no Content-Length warns the server: the limit must stop the reading itself.
        long limit = FashionApi.Predictions.RequestBodies.MaxJsonBytes(256);
        var content = new PushStreamContent(async stream =>
        {
            await stream.WriteAsync("{\"instances\":["u8.ToArray());
            byte[] image = Encoding.ASCII.GetBytes("[" + string.Join(",", Enumerable.Repeat("0.0039215686274509803", 784)) + "],");
            for (long sent = 0; sent <= limit; sent += image.Length)
                await stream.WriteAsync(image);
        });
        content.Headers.ContentType = new("application/json");
        using var response = await client.PostAsync("/predict/batch", content);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task A_json_batch_over_its_size_limit_is_a_413_naming_the_limit()
    {
        long limit = FashionApi.Predictions.RequestBodies.MaxJsonBytes(256);
        var body = new ByteArrayContent(new byte[limit + 1]);
        body.Headers.ContentType = new("application/json");
        await (await client.PostAsync("/predict/batch", body)).AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, $"{limit:N0} bytes");
    }

    async Task<string> RawAsync(string request, bool halfClose = false)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(address.Host, address.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.Latin1.GetBytes(request));
        if (halfClose) tcp.Client.Shutdown(SocketShutdown.Send);
        using var reading = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var buffer = new byte[4096];
        int read = 0;
        try
        {
            read = await stream.ReadAsync(buffer, reading.Token);
        }
        catch (IOException)
        {
        }
        return Encoding.Latin1.GetString(buffer, 0, read);
    }

    /// <summary>Content written by a callback as the request is sent: no Content-Length, so chunked.</summary>
    sealed class PushStreamContent(Func<Stream, Task> write) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            try
            {
                await write(stream);
            }
            catch (Exception e) when (e is IOException or HttpRequestException or ObjectDisposedException)
            {
                // The server stopped reading at its limit and answered; the answer is what the test checks.
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
