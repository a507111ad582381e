using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using FashionApi.Hosting;
using FashionApi.Tests.Infrastructure;
using Xunit.Abstractions;
using static FashionApi.Tests.Infrastructure.HttpAssertions;

namespace FashionApi.Tests.Hosting;

/// <summary>Thousands of connections and event-stream listeners against a real process with its shipped limits
/// (appsettings.json: 1,000 connections; 8 streams per client, 32 per job): the listeners beyond the limits are
/// refused, counted exactly; the connections beyond Kestrel's limit are closed; memory and descriptors stay bounded,
/// and a client already connected keeps getting predictions in time. Bounds are generous: the machine is shared.</summary>
[Trait("Category", "EndToEnd")]
public sealed class ConnectionFloodTests(ITestOutputHelper output) : IDisposable
{
    const int Listeners = 2000, IdleConnections = 3000, MaxConnections = 1000, PerClient = 8;
    readonly TempDirectory temp = new();
    ServiceProcess? service;

    [Fact]
    public async Task Thousands_of_listeners_and_idle_connections_are_refused_beyond_the_limits_while_predictions_keep_answering()
    {
        string models = Path.Combine(temp.Path, "models");
        TestData.SaveSeedModel(models);
        service = ServiceProcess.Start("flooded", InstanceRole.All, models, temp.Path, new Dictionary<string, string> { ["FashionApi__ManagementRequestsPerMinute"] = "0" });
        await service.WaitUntilListeningAsync(TimeSpan.FromSeconds(90));
        var job = await (await service.Http.PostAsync("/train", JsonBody(new { preset = "seed", epochs = 500 }))).AssertOkJsonAsync(HttpStatusCode.Accepted);
        string id = job.GetProperty("id").GetString()!;
        var address = service.Http.BaseAddress!;

        // A client connected before the flood: one kept-alive connection.
        using var predictor = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        var png = TestData.Png(TestData.FashionMnist.Test.Image(0));
        for (int i = 0; i < 100; i++) (await predictor.PostAsync("/predict", ImageContent(png))).EnsureSuccessStatusCode();
        var idle = await MeasureAsync(predictor, png, TimeSpan.FromSeconds(3));
        long rssBefore = service.Status("VmRSS"), fdsBefore = service.OpenFiles;

        using var stop = new CancellationTokenSource();
        var underFlood = MeasureAsync(predictor, png, TimeSpan.FromMinutes(2), stop.Token);

        // 2,000 event-stream listeners on one job from one client.
        var streams = new List<Socket>();
        int accepted = 0, refused = 0, other = 0;
        foreach (var batch in Enumerable.Range(0, Listeners).Chunk(100))
        {
            var answers = await Task.WhenAll(batch.Select(_ => OpenStreamAsync(address, id)));
            foreach (var (socket, status) in answers)
            {
                if (status == 200) { accepted++; streams.Add(socket); }
                else { if (status == 429) refused++; else other++; socket.Dispose(); }
            }
        }
        Assert.Equal((PerClient, Listeners - PerClient, 0), (accepted, refused, other));

        // 3,000 connections that never send a request.
        var idleSockets = new List<Socket>();
        foreach (var batch in Enumerable.Range(0, IdleConnections).Chunk(200))
            idleSockets.AddRange(await Task.WhenAll(batch.Select(async _ =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(IPAddress.Loopback, address.Port);
                return socket;
            })));
        await Task.Delay(TimeSpan.FromSeconds(3));
        int closedByServer = idleSockets.Count(ClosedByPeer);
        long rssDuring = service.Status("VmRSS"), fdsDuring = service.OpenFiles;

        stop.Cancel();
        var flooded = await underFlood;
        output.WriteLine($"listeners: {accepted} accepted, {refused} refused (429); idle connections: {IdleConnections - closedByServer} held, {closedByServer} closed by the server");
        output.WriteLine($"server RSS {rssBefore / 1024} -> {rssDuring / 1024} MiB, descriptors {fdsBefore} -> {fdsDuring}");
        output.WriteLine($"/predict on a kept-alive connection: idle p50 {idle.P50:F1} ms p99 {idle.P99:F1} ms ({idle.Count}); under the flood p50 {flooded.P50:F1} ms p99 {flooded.P99:F1} ms max {flooded.Max:F0} ms ({flooded.Count}, {flooded.Failures} failed)");

        // Beyond MaxConcurrentConnections every new connection is closed at once; the ones held are at most the limit.
        Assert.InRange(closedByServer, IdleConnections - MaxConnections, IdleConnections);
        Assert.True(fdsDuring <= fdsBefore + MaxConnections + 64, $"descriptors {fdsBefore} -> {fdsDuring}");
        Assert.True(rssDuring - rssBefore < 150L * 1024, $"RSS grew by {(rssDuring - rssBefore) / 1024} MiB");
        Assert.Equal(0, flooded.Failures);
        Assert.True(flooded.Count >= 50 && flooded.P99 < 500, $"under the flood: p99 {flooded.P99:F0} ms over {flooded.Count} predictions\n{service.Log}");

        foreach (var socket in streams.Concat(idleSockets)) socket.Dispose();
        await service.Http.DeleteAsync($"/train/{id}");
    }

    /// <summary>Sends a stream request on a raw connection and reads its status line; the caller keeps the socket.</summary>
    static async Task<(Socket Socket, int Status)> OpenStreamAsync(Uri address, string id)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, address.Port);
        // Connection: close, so a refused request's connection ends with its answer rather than idling on.
        await socket.SendAsync(Encoding.ASCII.GetBytes(
            $"GET /train/{id}/events HTTP/1.1\r\nHost: {address.Authority}\r\nX-Api-Key: {FashionApiFactory.ApiKey}\r\nConnection: close\r\n\r\n"));
        var buffer = new byte[64];
        int read = await socket.ReceiveAsync(buffer.AsMemory()).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        string line = Encoding.ASCII.GetString(buffer, 0, read);
        return (socket, line.StartsWith("HTTP/1.1 ") && read >= 12 ? int.Parse(line[9..12]) : -1);
    }

    static bool ClosedByPeer(Socket socket)
    {
        if (!socket.Poll(0, SelectMode.SelectRead)) return false; // nothing to read and not closed: still open
        try { return socket.Receive(new byte[1], SocketFlags.Peek) == 0; }
        catch (SocketException) { return true; } // reset
    }

    sealed record Latencies(int Count, int Failures, double P50, double P99, double Max);

    static async Task<Latencies> MeasureAsync(HttpClient client, byte[] png, TimeSpan duration, CancellationToken stop = default)
    {
        var times = new List<double>();
        int failures = 0;
        for (var until = DateTime.UtcNow + duration; DateTime.UtcNow < until && !stop.IsCancellationRequested;)
        {
            var one = Stopwatch.StartNew();
            try
            {
                if (!(await client.PostAsync("/predict", ImageContent(png))).IsSuccessStatusCode) failures++;
            }
            catch (HttpRequestException) { failures++; }
            times.Add(one.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return times.Count == 0 ? new(0, failures, 0, 0, 0)
            : new(times.Count, failures, times[times.Count / 2], times[(int)(0.99 * (times.Count - 1))], times[^1]);
    }

    public void Dispose()
    {
        service?.Dispose();
        temp.Dispose();
    }
}
