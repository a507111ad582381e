using System.Net;
using System.Text.Json;
using FashionApi.Dataset;
using FashionApi.Predictions;
using FashionApi.Tests.Docker;
using FashionApi.Tests.Infrastructure;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using static FashionApi.Tests.Infrastructure.HttpAssertions;

namespace FashionApi.Tests.Hostile;

/// <summary>The limits on training work and request rates, and the one list of accepted image formats.</summary>
public class LimitsTests
{
    static async Task<JsonElement> WaitForAsync(HttpClient client, string location, params string[] statuses)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < deadline; await Task.Delay(50))
        {
            var job = await (await client.GetAsync(location)).AssertOkJsonAsync();
            if (statuses.Contains(job.GetProperty("status").GetString())) return job;
        }
        throw new TimeoutException($"{location} did not reach {string.Join("/", statuses)} within 60 s.");
    }

    static async Task<string> StartAsync(HttpClient client, object body)
    {
        var response = await client.PostAsync("/train", JsonBody(body));
        await response.AssertOkJsonAsync(HttpStatusCode.Accepted);
        return response.Headers.Location!.OriginalString;
    }

    /// <summary>Long enough to be running for as long as a test needs (500 epochs of minibatches of 16).</summary>
    static readonly object LongJob = new { preset = "seed", epochs = 500, batchSize = 16 };

    [Fact]
    public async Task Past_MaxQueuedJobs_waiting_jobs_training_answers_429_with_retry_after()
    {
        using var factory = new FashionApiFactory(seedModel: true, new() { ["FashionApi:MaxQueuedJobs"] = "1" });
        var client = await factory.CreateReadyClientAsync();
        string running = await StartAsync(client, LongJob);
        await WaitForAsync(client, running, "running");
        string waiting = await StartAsync(client, LongJob);

        var refused = await client.PostAsync("/train", JsonBody(LongJob));
        await refused.AssertProblemAsync(HttpStatusCode.TooManyRequests, "MaxQueuedJobs");
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, "429 without Retry-After");

        await (await client.DeleteAsync(waiting)).AssertOkJsonAsync(HttpStatusCode.Accepted);
        string next = await StartAsync(client, LongJob); // room again once the waiting one is cancelled
        await (await client.DeleteAsync(next)).AssertOkJsonAsync(HttpStatusCode.Accepted);
        await (await client.DeleteAsync(running)).AssertOkJsonAsync(HttpStatusCode.Accepted);
    }

    [Fact]
    public async Task A_job_past_MaxJobDuration_fails_saying_so_and_the_active_model_keeps_serving()
    {
        using var factory = new FashionApiFactory(seedModel: true, new() { ["FashionApi:MaxJobDuration"] = "00:00:01" });
        var client = await factory.CreateReadyClientAsync();
        string location = await StartAsync(client, LongJob);

        var job = await WaitForAsync(client, location, "failed", "succeeded", "cancelled");
        Assert.Equal("failed", job.GetProperty("status").GetString());
        Assert.Contains("MaxJobDuration", job.GetProperty("error").GetString());
        var model = await (await client.GetAsync("/model")).AssertOkJsonAsync();
        Assert.Equal(factory.SeedVersion, model.GetProperty("version").GetString());
        Assert.Single((await (await client.GetAsync("/models")).AssertOkJsonAsync()).EnumerateArray());
        await (await client.PostAsync("/predict", ImageContent(TestData.Png(TestData.FashionMnist.Test.Image(0))))).AssertOkJsonAsync();
    }

    [Fact]
    public async Task Minibatches_under_16_images_are_refused()
    {
        using var factory = new FashionApiFactory();
        var client = await factory.CreateReadyClientAsync();
        var problem = await (await client.PostAsync("/train", JsonBody(new { batchSize = 1 }))).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("between 16", problem.GetProperty("errors").GetProperty("batchSize")[0].GetString());
    }

    [Fact]
    public async Task Management_routes_are_rate_limited_per_client_with_429_and_retry_after()
    {
        using var factory = new FashionApiFactory(seedModel: true, new() { ["FashionApi:ManagementRequestsPerMinute"] = "2" });
        var client = await factory.CreateReadyClientAsync();
        var invalid = new { epochs = 0 }; // refused after the limiter, queues nothing
        await (await client.PostAsync("/train", JsonBody(invalid))).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await client.DeleteAsync("/train/unknown")).AssertProblemAsync(HttpStatusCode.NotFound);

        foreach (var refused in new[] { await client.PostAsync("/train", JsonBody(invalid)), await client.PostAsync($"/models/{factory.SeedVersion}/activate", JsonBody(new { })) })
        {
            await refused.AssertProblemAsync(HttpStatusCode.TooManyRequests, "2 requests per minute");
            Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, "429 without Retry-After");
        }
        // Reads and predictions are not management routes.
        await (await client.GetAsync("/train")).AssertOkJsonAsync();
        await (await client.PostAsync("/predict", ImageContent(TestData.Png(TestData.FashionMnist.Test.Image(0))))).AssertOkJsonAsync();
    }

    [Fact]
    public async Task Predictions_can_be_rate_limited_and_are_not_by_default()
    {
        byte[] png = TestData.Png(TestData.FashionMnist.Test.Image(0));
        using (var open = new FashionApiFactory())
        {
            var client = await open.CreateReadyClientAsync();
            var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => client.PostAsync("/predict", ImageContent(png))));
            Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        }

        using var limited = new FashionApiFactory(seedModel: true, new() { ["FashionApi:PredictionRequestsPerSecond"] = "2" });
        var limitedClient = await limited.CreateReadyClientAsync();
        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => limitedClient.PostAsync("/predict", ImageContent(png))));
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
        var refused = responses.First(r => r.StatusCode == HttpStatusCode.TooManyRequests);
        await refused.AssertProblemAsync(HttpStatusCode.TooManyRequests, "2 requests per second");
        Assert.NotNull(refused.Headers.RetryAfter);
    }

    [Fact]
    public async Task Every_accepted_format_is_decoded_and_the_others_get_a_415_naming_them()
    {
        using var factory = new FashionApiFactory();
        var client = await factory.CreateReadyClientAsync();
        using var image = Image.LoadPixelData<L8>(TestData.FashionMnist.Test.Image(0), 28, 28);
        foreach (var format in AcceptedImageFormats.All)
        {
            using var stream = new MemoryStream();
            image.Save(stream, SixLabors.ImageSharp.Configuration.Default.ImageFormatsManager.FindEncoder(format.Format));
            var prediction = await (await client.PostAsync("/predict", ImageContent(stream.ToArray(), format.MediaType))).AssertOkJsonAsync();
            Assert.Equal(format.Name.ToLowerInvariant(), prediction.GetProperty("preprocessing").GetProperty("format").GetString());
        }
        Assert.Equal("PNG, JPEG, BMP, GIF or WebP", AcceptedImageFormats.Names);

        await (await client.PostAsync("/predict", ImageContent(TestData.Png(TestData.FashionMnist.Test.Image(0)), "image/tiff")))
            .AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, AcceptedImageFormats.Names);
        using var tiff = new MemoryStream();
        image.Save(tiff, new SixLabors.ImageSharp.Formats.Tiff.TiffEncoder());
        await (await client.PostAsync("/predict", ImageContent(tiff.ToArray(), "image/png")))
            .AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, "TIFF images are not accepted; send " + AcceptedImageFormats.Names);
    }

    [Fact]
    public async Task The_openapi_document_and_the_readme_list_exactly_the_accepted_formats()
    {
        using var factory = new FashionApiFactory();
        var document = await (await factory.CreateClient().GetAsync("/swagger/v1/swagger.json")).AssertOkJsonAsync();
        var content = document.GetProperty("paths").GetProperty("/predict").GetProperty("post").GetProperty("requestBody").GetProperty("content");
        var imageTypes = content.EnumerateObject().Select(p => p.Name).Where(n => n.StartsWith("image/")).ToList();
        Assert.Equal(AcceptedImageFormats.MediaTypes, imageTypes);

        string readme = File.ReadAllText(Path.Combine(FashionApi.Tests.Docker.DockerfileModel.RepositoryRoot, "README.md"));
        string formats = readme.Split('\n').Single(line => line.StartsWith("- **Formats.**"));
        Assert.Contains(AcceptedImageFormats.Names, formats);
        foreach (string other in new[] { "TIFF", "TGA", "PBM" })
            Assert.DoesNotContain(other + ",", formats);
    }
}
