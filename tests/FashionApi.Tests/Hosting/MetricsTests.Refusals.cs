using System.Net;
using FashionApi.Tests.Infrastructure;
using static FashionApi.Tests.Infrastructure.HttpAssertions;

namespace FashionApi.Tests.Hosting;

/// <summary>Every kind of refusal travels one path: problem details with a camelCase <c>reason</c>, and the rejection
/// metric counted under that same name.</summary>
public partial class MetricsTests
{
    [Fact]
    public async Task Refusals_of_every_feature_carry_one_camelCase_reason_in_problem_details_and_metrics()
    {
        using var factory = new FashionApiFactory();
        var client = await factory.CreateReadyClientAsync();
        using var serving = new FashionApiFactory(seedModel: true, new() { ["FashionApi:Role"] = "serve" });
        var serveOnly = await serving.CreateReadyClientAsync();
        string seed = factory.SeedVersion!;

        // (client, request, status, reason): one of each feature's own refusals, and one from the framework.
        var cases = new (HttpClient Client, Func<HttpClient, Task<HttpResponseMessage>> Send, HttpStatusCode Status, string Reason)[]
        {
            (client, c => c.GetAsync("/train/no-such-job"), HttpStatusCode.NotFound, "unknownJob"),
            (client, c => c.GetAsync("/train/no-such-job/events"), HttpStatusCode.NotFound, "unknownJob"),
            (client, c => c.DeleteAsync("/train/no-such-job"), HttpStatusCode.NotFound, "unknownJob"),
            (client, c => c.GetAsync("/models/no-such-version"), HttpStatusCode.NotFound, "unknownVersion"),
            (client, c => c.GetAsync("/models/no-such-version/weights"), HttpStatusCode.NotFound, "unknownVersion"),
            (client, c => c.GetAsync("/models/no-such-version/onnx"), HttpStatusCode.NotFound, "unknownVersion"),
            (client, c => c.PostAsync("/models/no-such-version/activate", JsonBody(new { })), HttpStatusCode.NotFound, "unknownVersion"),
            (client, c => c.GetAsync("/samples/10000.png"), HttpStatusCode.NotFound, "unknownSample"),
            (client, c => c.GetAsync("/samples?pageSize=0"), HttpStatusCode.BadRequest, "invalidParameter"),
            (client, c => c.GetAsync("/no-such-route"), HttpStatusCode.NotFound, "unknownRoute"),
            (serveOnly, c => c.PostAsync($"/models/{seed}/activate", JsonBody(new { })), HttpStatusCode.Conflict, "notTrainingInstance"),
        };

        var before = await ScrapeAsync(client);
        var beforeServing = await ScrapeAsync(serveOnly);
        foreach (var (target, send, status, reason) in cases)
        {
            var problem = await (await send(target)).AssertProblemAsync(status);
            Assert.Equal(reason, problem.GetProperty("reason").GetString());
        }
        // Both hosts share this test process's meters, so either scrape may hold a count; the exporter caches a scrape
        // for a moment, so wait for the counts to move.
        string[] missing = [];
        for (var deadline = DateTime.UtcNow.AddSeconds(10); DateTime.UtcNow < deadline; await Task.Delay(200))
        {
            var after = await ScrapeAsync(client);
            var afterServing = await ScrapeAsync(serveOnly);
            double Increase(string label) => Math.Max(
                after.Sum("fashionapi_requests_rejected_total", label) - before.Sum("fashionapi_requests_rejected_total", label),
                afterServing.Sum("fashionapi_requests_rejected_total", label) - beforeServing.Sum("fashionapi_requests_rejected_total", label));
            missing = cases.GroupBy(c => c.Reason)
                .Where(g => Increase($"reason=\"{g.Key}\"") < g.Count())
                .Select(g => $"{g.Key} (sent {g.Count()})").ToArray();
            if (missing.Length == 0) break;
        }
        Assert.True(missing.Length == 0, "Refusals not counted under their reason: " + string.Join(", ", missing));
    }
}
