using System.Net;
using System.Net.ServerSentEvents;
using System.Text.Json;
using FashionApi.Softmax;
using FashionApi.Tests.Infrastructure;
using static FashionApi.Tests.Infrastructure.HttpAssertions;

namespace FashionApi.Tests.Training;

/// <summary><c>GET /train/{id}/events</c>: a job's progress pushed as Server-Sent Events, read as a browser would.</summary>
public class TrainingEventsApiTests
{
    static async Task<string> StartAsync(HttpClient client, object body) =>
        (await (await client.PostAsync("/train", JsonBody(body))).AssertOkJsonAsync(HttpStatusCode.Accepted)).GetProperty("id").GetString()!;

    static async Task<HttpResponseMessage> OpenStreamAsync(HttpClient client, string id)
    {
        var response = await client.GetAsync($"/train/{id}/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return response;
    }

    [Fact]
    public async Task A_queued_jobs_stream_sends_a_snapshot_every_epoch_in_order_and_done_then_closes()
    {
        using var factory = new FashionApiFactory();
        var client = await factory.CreateReadyClientAsync();
        string blocker = await StartAsync(client, new { preset = "seed", epochs = 500 });
        string id = await StartAsync(client, new { preset = "seed" });

        using var response = await OpenStreamAsync(client, id);
        var events = new List<SseItem<string>>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var reading = SseParser.Create(await response.Content.ReadAsStreamAsync(timeout.Token)).EnumerateAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);
        Assert.True(await reading.MoveNextAsync(), "the stream should start with a snapshot");
        events.Add(reading.Current);
        await (await client.DeleteAsync($"/train/{blocker}")).AssertOkJsonAsync(HttpStatusCode.Accepted); // now the job runs
        while (await reading.MoveNextAsync()) events.Add(reading.Current);

        Assert.Equal("snapshot", events[0].EventType);
        var snapshot = JsonDocument.Parse(events[0].Data).RootElement;
        Assert.Equal("queued", snapshot.GetProperty("status").GetString());
        Assert.Equal(0, snapshot.GetProperty("history").GetArrayLength());

        var epochs = events.Where(e => e.EventType == "epoch").Select(e => JsonDocument.Parse(e.Data).RootElement).ToList();
        Assert.Equal([1, 2, 3, 4, 5], epochs.Select(e => e.GetProperty("epoch").GetInt32()));
        Assert.InRange(epochs[4].GetProperty("testAccuracy").GetDouble(), 0.823, 0.833);
        Assert.All(events.Where(e => e.EventType == "progress"), e =>
            Assert.Equal("running", JsonDocument.Parse(e.Data).RootElement.GetProperty("status").GetString()));

        Assert.Equal("done", events[^1].EventType);
        var done = JsonDocument.Parse(events[^1].Data).RootElement;
        Assert.Equal("succeeded", done.GetProperty("status").GetString());
        Assert.Equal(5, done.GetProperty("history").GetArrayLength());
        Assert.StartsWith("20", done.GetProperty("modelVersion").GetString());
        Assert.Equal(["snapshot", "done"], events.Select(e => e.EventType).Where(t => t is "snapshot" or "done"));
    }

    [Fact]
    public async Task A_running_job_pushes_progress_within_the_epoch_and_a_cancel_ends_the_stream_with_done()
    {
        using var factory = new FashionApiFactory();
        var client = await factory.CreateReadyClientAsync();
        string id = await StartAsync(client, new { preset = "seed", epochs = 500 });
        using var response = await OpenStreamAsync(client, id);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var reading = SseParser.Create(await response.Content.ReadAsStreamAsync(timeout.Token)).EnumerateAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);

        var positions = new List<(int Epoch, int Batch)>(); // minibatches done, as (epoch, batch)
        while (positions.Count < 3)
        {
            Assert.True(await reading.MoveNextAsync(), "the stream ended before three progress events");
            if (reading.Current.EventType != "progress") continue;
            var progress = JsonDocument.Parse(reading.Current.Data).RootElement.GetProperty("progress");
            Assert.InRange(progress.GetProperty("batch").GetInt32(), 1, progress.GetProperty("batchesPerEpoch").GetInt32());
            Assert.Equal(500, progress.GetProperty("epochs").GetInt32());
            positions.Add((progress.GetProperty("epoch").GetInt32(), progress.GetProperty("batch").GetInt32()));
        }
        Assert.True(positions.Zip(positions.Skip(1)).All(p => p.First.CompareTo(p.Second) < 0),
            $"each progress event should be further on than the one before: {string.Join(", ", positions)}");

        await (await client.DeleteAsync($"/train/{id}")).AssertOkJsonAsync(HttpStatusCode.Accepted);
        SseItem<string> last = default;
        while (await reading.MoveNextAsync()) last = reading.Current;
        Assert.Equal("done", last.EventType);
        Assert.Equal("cancelled", JsonDocument.Parse(last.Data).RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_finished_jobs_stream_is_its_snapshot_and_done_and_unknown_jobs_are_a_404()
    {
        using var factory = new FashionApiFactory();
        var client = await factory.CreateReadyClientAsync();
        string id = await StartAsync(client, new { preset = "seed", epochs = 1 });
        for (var deadline = DateTime.UtcNow.AddSeconds(60); ; await Task.Delay(50))
        {
            var job = await (await client.GetAsync($"/train/{id}")).AssertOkJsonAsync();
            if (job.GetProperty("status").GetString() == "succeeded") break;
            Assert.True(DateTime.UtcNow < deadline, "the one-epoch job did not succeed within 60 s");
        }
        using var response = await OpenStreamAsync(client, id);
        var events = new List<SseItem<string>>();
        await foreach (var item in SseParser.Create(await response.Content.ReadAsStreamAsync()).EnumerateAsync()) events.Add(item);
        Assert.Equal(["snapshot", "done"], events.Select(e => e.EventType));

        await (await client.GetAsync("/train/nope/events")).AssertProblemAsync(HttpStatusCode.NotFound, "nope");
    }

    [Fact]
    public async Task Open_streams_end_when_the_service_shuts_down()
    {
        var factory = new FashionApiFactory();
        var client = await factory.CreateReadyClientAsync();
        string blocker = await StartAsync(client, new { preset = "seed", epochs = 500 });
        string waiting = await StartAsync(client, new { preset = "seed" });
        using var response = await OpenStreamAsync(client, waiting);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var reading = SseParser.Create(await response.Content.ReadAsStreamAsync(timeout.Token)).EnumerateAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);
        Assert.True(await reading.MoveNextAsync());

        var stopping = Task.Run(factory.Dispose);
        var ended = Task.Run(async () =>
        {
            try { while (await reading.MoveNextAsync()) { } }
            catch (Exception e) when (e is IOException or HttpRequestException) { } // the server went away: also an end
        });
        Assert.Same(ended, await Task.WhenAny(ended, Task.Delay(TimeSpan.FromSeconds(60))));
        Assert.Same(stopping, await Task.WhenAny(stopping, Task.Delay(TimeSpan.FromSeconds(60))));
        await stopping;
        _ = blocker;
    }
}
