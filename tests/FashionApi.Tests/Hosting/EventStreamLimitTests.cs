using System.Net;
using FashionApi.Tests.Infrastructure;
using static FashionApi.Tests.Infrastructure.HttpAssertions;

namespace FashionApi.Tests.Hosting;

public class EventStreamLimitTests
{
    [Fact]
    public async Task A_job_and_a_client_each_hold_at_most_their_number_of_event_streams_and_a_closed_one_frees_its_place()
    {
        using var factory = new FashionApiFactory(seedModel: true, new()
        {
            ["FashionApi:MaxEventStreamsPerJob"] = "3",
            ["FashionApi:MaxEventStreamsPerClient"] = "2",
            ["FashionApi:TrustedProxies:0"] = "127.0.0.1",
        });
        var client = await factory.CreateReadyClientAsync(factory.StartKestrel());
        var job = await (await client.PostAsync("/train", JsonBody(new { preset = "seed", epochs = 500 }))).AssertOkJsonAsync(HttpStatusCode.Accepted);
        string path = $"/train/{job.GetProperty("id").GetString()}/events";

        async Task<HttpResponseMessage> Open(string clientAddress)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Add("X-Forwarded-For", clientAddress);
            return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        }

        using var a1 = await Open("198.51.100.1");
        using var a2 = await Open("198.51.100.1");
        Assert.Equal(HttpStatusCode.OK, a1.StatusCode);
        Assert.Equal(HttpStatusCode.OK, a2.StatusCode);
        await (await Open("198.51.100.1")).AssertProblemAsync(HttpStatusCode.TooManyRequests, "MaxEventStreamsPerClient");
        using var b1 = await Open("198.51.100.2");
        Assert.Equal(HttpStatusCode.OK, b1.StatusCode);
        await (await Open("198.51.100.3")).AssertProblemAsync(HttpStatusCode.TooManyRequests, "MaxEventStreamsPerJob");

        a1.Dispose(); // the client goes away; the server notices the closed connection and frees the place
        for (var deadline = DateTime.UtcNow.AddSeconds(10); ; await Task.Delay(50))
        {
            using var c1 = await Open("198.51.100.3");
            if (c1.StatusCode == HttpStatusCode.OK) break;
            Assert.True(DateTime.UtcNow < deadline, "A closed stream's place was not freed within 10 s.");
        }
        await client.DeleteAsync($"/train/{job.GetProperty("id").GetString()}");
    }
}
