using System.Net;
using System.Text.Json;
using FashionApi.Dataset;
using FashionApi.Tests.Infrastructure;
using static FashionApi.Tests.Infrastructure.HttpAssertions;

namespace FashionApi.Tests.Training;

public class TrainingApiTests
{
    static async Task<JsonElement> WaitForAsync(HttpClient client, string location, params string[] finalStatuses)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(120); DateTime.UtcNow < deadline; await Task.Delay(100))
        {
            var job = await (await client.GetAsync(location)).AssertOkJsonAsync();
            if (finalStatuses.Contains(job.GetProperty("status").GetString())) return job;
        }
        throw new TimeoutException($"{location} did not reach {string.Join("/", finalStatuses)} in time.");
    }

    static async Task<(string Location, JsonElement Job)> StartAsync(HttpClient client, object body)
    {
        var response = await client.PostAsync("/train", JsonBody(body));
        var job = await response.AssertOkJsonAsync(HttpStatusCode.Accepted);
        Assert.Equal($"/train/{job.GetProperty("id").GetString()}", response.Headers.Location?.OriginalString);
        return (response.Headers.Location!.OriginalString, job);
    }

    static async Task<string> ActiveVersionAsync(HttpClient client) =>
        (await (await client.GetAsync("/model")).AssertOkJsonAsync()).GetProperty("version").GetString()!;

    [Fact]
    public async Task A_full_training_job_through_http_switches_the_model_and_the_old_one_can_be_reactivated()
    {
        // builtin runs only at normal priority, which outside Development the operator must accept.
        using var factory = new FashionApiFactory(seedModel: true, new() { ["FashionApi:TrainAtLowPriority"] = "false" });
        var client = await factory.CreateReadyClientAsync();
        string before = await ActiveVersionAsync(client);
        Assert.Equal(factory.SeedVersion, before);

        var (location, queued) = await StartAsync(client, new { preset = "seed", implementation = "builtin" });
        Assert.Equal("builtin", queued.GetProperty("hyperparameters").GetProperty("implementation").GetString());
        Assert.Equal(0.1, queued.GetProperty("hyperparameters").GetProperty("learningRate").GetDouble());
        var job = await WaitForAsync(client, location, "succeeded", "failed");

        Assert.Equal("succeeded", job.GetProperty("status").GetString());
        Assert.Equal(5, job.GetProperty("history").GetArrayLength());
        Assert.Equal(100, job.GetProperty("progress").GetProperty("percent").GetDouble());
        var lastEpoch = job.GetProperty("history")[4];
        Assert.InRange(lastEpoch.GetProperty("testAccuracy").GetDouble(), 0.823, 0.833);
        Assert.True(lastEpoch.GetProperty("seconds").GetDouble() > 0);
        string after = job.GetProperty("modelVersion").GetString()!;
        Assert.NotEqual(before, after);

        var model = await (await client.GetAsync("/model")).AssertOkJsonAsync();
        Assert.Equal(after, model.GetProperty("version").GetString());
        Assert.Equal("builtin", model.GetProperty("implementation").GetString());
        Assert.Equal(10, model.GetProperty("evaluation").GetProperty("confusionMatrix").GetArrayLength());
        Assert.Equal(10, model.GetProperty("evaluation").GetProperty("perClassAccuracy").EnumerateObject().Count());
        var prediction = await (await client.PostAsync("/predict", ImageContent(TestData.Png(TestData.FashionMnist.Test.Image(0))))).AssertOkJsonAsync();
        Assert.Equal(after, prediction.GetProperty("modelVersion").GetString());

        var versions = await (await client.GetAsync("/models")).AssertOkJsonAsync();
        Assert.Equal([after, before], versions.EnumerateArray().Select(v => v.GetProperty("version").GetString()));
        Assert.True(versions[0].GetProperty("active").GetBoolean());

        var activated = await (await client.PostAsync($"/models/{before}/activate", JsonBody(new { }))).AssertOkJsonAsync();
        Assert.Equal(before, activated.GetProperty("version").GetString());
        Assert.Equal(before, await ActiveVersionAsync(client));
        var jobs = await (await client.GetAsync("/train")).AssertOkJsonAsync();
        Assert.Contains(jobs.EnumerateArray(), j => j.GetProperty("id").GetString() == job.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Cancelling_a_running_job_leaves_the_previous_model_serving()
    {
        using var factory = new FashionApiFactory();
        var client = await factory.CreateReadyClientAsync();
        var (location, _) = await StartAsync(client, new { preset = "seed", epochs = 500 });
        await WaitForAsync(client, location, "running");

        var status = await (await client.GetAsync("/status")).AssertOkJsonAsync();
        Assert.Equal(location, $"/train/{status.GetProperty("training").GetProperty("id").GetString()}");

        await (await client.DeleteAsync(location)).AssertOkJsonAsync(HttpStatusCode.Accepted);
        var job = await WaitForAsync(client, location, "cancelled", "succeeded", "failed");
        Assert.Equal("cancelled", job.GetProperty("status").GetString());
        Assert.True(job.GetProperty("modelVersion").ValueKind == JsonValueKind.Null);
        Assert.Equal(factory.SeedVersion, await ActiveVersionAsync(client));
        Assert.Single((await (await client.GetAsync("/models")).AssertOkJsonAsync()).EnumerateArray());
        await (await client.PostAsync("/predict", ImageContent(TestData.Png(TestData.FashionMnist.Test.Image(1))))).AssertOkJsonAsync();

        await (await client.DeleteAsync(location)).AssertProblemAsync(HttpStatusCode.Conflict, "already finished");
    }

    [Fact]
    public async Task Two_queued_jobs_run_one_after_the_other()
    {
        using var factory = new FashionApiFactory();
        var client = await factory.CreateReadyClientAsync();
        var (first, _) = await StartAsync(client, new { preset = "seed", epochs = 2 });
        var (second, queued) = await StartAsync(client, new { preset = "seed", epochs = 2, seed = 1 });
        Assert.Equal("queued", queued.GetProperty("status").GetString());

        var a = await WaitForAsync(client, first, "succeeded", "failed");
        var b = await WaitForAsync(client, second, "succeeded", "failed");
        Assert.Equal("succeeded", a.GetProperty("status").GetString());
        Assert.Equal("succeeded", b.GetProperty("status").GetString());
        Assert.True(b.GetProperty("startedAt").GetDateTimeOffset() >= a.GetProperty("finishedAt").GetDateTimeOffset());
        Assert.Equal(b.GetProperty("modelVersion").GetString(), await ActiveVersionAsync(client));
    }

    [Fact]
    public async Task A_job_cancelled_while_queued_never_runs()
    {
        using var factory = new FashionApiFactory();
        var client = await factory.CreateReadyClientAsync();
        var (running, _) = await StartAsync(client, new { preset = "seed", epochs = 500 });
        var (waiting, _) = await StartAsync(client, new { preset = "seed" });
        await (await client.DeleteAsync(waiting)).AssertOkJsonAsync(HttpStatusCode.Accepted);
        await (await client.DeleteAsync(running)).AssertOkJsonAsync(HttpStatusCode.Accepted);

        var job = await WaitForAsync(client, waiting, "cancelled", "succeeded");
        Assert.Equal("cancelled", job.GetProperty("status").GetString());
        Assert.True(job.GetProperty("startedAt").ValueKind == JsonValueKind.Null);
    }

    [Fact]
    public async Task Invalid_training_requests_are_a_400_naming_the_fields()
    {
        using var factory = new FashionApiFactory();
        var client = factory.CreateClient();
        var problem = await (await client.PostAsync("/train", JsonBody(new { epochs = 0, learningRate = -1, momentum = 0.9, optimizer = "adam" })))
            .AssertProblemAsync(HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        Assert.Equal(["epochs", "learningRate", "momentum"], errors.EnumerateObject().Select(e => e.Name).Order());

        problem = await (await client.PostAsync("/train", JsonBody(new { preset = "fastest" }))).AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("seed, default", problem.GetProperty("errors").GetProperty("preset")[0].GetString());

        // A setting with a fixed set of values: an unknown one (or a number) is refused with the accepted names.
        await (await client.PostAsync("/train", JsonBody(new { implementation = "keras" })))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "'keras' is not a valid implementation; use one of: scratch, fused, builtin.");
        await (await client.PostAsync("/train", JsonBody(new { optimizer = "rmsprop" })))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "use one of: sgd, adam.");
        await (await client.PostAsync("/train", JsonBody(new { schedule = 1 })))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "number is not a valid schedule; use one of: constant, cosine.");

        var wrongType = new StringContent("{\"epochs\": \"many\"}", System.Text.Encoding.UTF8, "application/json");
        await (await client.PostAsync("/train", wrongType)).AssertProblemAsync(HttpStatusCode.BadRequest, "epochs");
        Assert.Empty((await (await client.GetAsync("/train")).AssertOkJsonAsync()).EnumerateArray());
    }

    [Fact]
    public async Task Unknown_jobs_and_versions_are_a_404()
    {
        using var factory = new FashionApiFactory();
        var client = factory.CreateClient();
        await (await client.GetAsync("/train/nope")).AssertProblemAsync(HttpStatusCode.NotFound, "nope");
        await (await client.DeleteAsync("/train/nope")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await client.PostAsync("/models/20990101-nope/activate", JsonBody(new { }))).AssertProblemAsync(HttpStatusCode.NotFound, "GET /models");
        await (await client.PostAsync("/models/..%2F..%2Fetc/activate", JsonBody(new { }))).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await client.PostAsync("/models/..%2Fversions%2F..%2F..%2Fmodels/activate", JsonBody(new { }))).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_damaged_version_cannot_be_activated_and_the_active_model_stays()
    {
        using var factory = new FashionApiFactory();
        var client = await factory.CreateReadyClientAsync();
        string damaged = TestData.SaveSeedModel(factory.ModelDirectory).Version;
        string weights = Path.Combine(factory.ModelDirectory, "versions", damaged, "weights.bin");
        var bytes = File.ReadAllBytes(weights);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(weights, bytes);

        await (await client.PostAsync($"/models/{damaged}/activate", JsonBody(new { }))).AssertProblemAsync(HttpStatusCode.Conflict, "checksum");
        Assert.Equal(factory.SeedVersion, await ActiveVersionAsync(client));
    }

    [Fact]
    public async Task Starting_with_a_saved_model_writes_nothing_so_a_read_only_volume_works()
    {
        using var factory = new FashionApiFactory();
        string active = Path.Combine(factory.ModelDirectory, "active.json");
        var written = File.GetLastWriteTimeUtc(active);
        var files = Directory.GetFileSystemEntries(factory.ModelDirectory, "*", SearchOption.AllDirectories).Order().ToList();

        var client = await factory.CreateReadyClientAsync();
        await (await client.PostAsync("/predict", ImageContent(TestData.Png(TestData.FashionMnist.Test.Image(0))))).AssertOkJsonAsync();
        Assert.Equal(written, File.GetLastWriteTimeUtc(active));
        Assert.Equal(files, Directory.GetFileSystemEntries(factory.ModelDirectory, "*", SearchOption.AllDirectories).Order());
    }

    [Fact]
    public async Task An_unusable_active_record_does_not_stop_the_service()
    {
        using var factory = new FashionApiFactory();
        string active = Path.Combine(factory.ModelDirectory, "active.json");
        File.Delete(active);
        Directory.CreateDirectory(active); // can be neither read nor replaced

        var client = await factory.CreateReadyClientAsync();
        Assert.Equal(factory.SeedVersion, await ActiveVersionAsync(client));
    }

    [Fact]
    public async Task With_no_saved_model_the_service_trains_the_default_preset_on_start_up()
    {
        using var factory = new FashionApiFactory(seedModel: false, new() { ["FashionApi:TrainOnStartup"] = "true" });
        var client = factory.CreateClient();
        var jobs = await (await client.GetAsync("/train")).AssertOkJsonAsync();
        for (var deadline = DateTime.UtcNow.AddSeconds(30); jobs.GetArrayLength() == 0 && DateTime.UtcNow < deadline; await Task.Delay(20))
            jobs = await (await client.GetAsync("/train")).AssertOkJsonAsync();
        Assert.True(jobs.GetArrayLength() == 1, $"expected the start-up training job within 30 s; GET /train listed {jobs.GetArrayLength()} jobs");
        Assert.Equal("default", jobs[0].GetProperty("preset").GetString());

        var job = await WaitForAsync(client, $"/train/{jobs[0].GetProperty("id").GetString()}", "succeeded", "failed");
        Assert.Equal("succeeded", job.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
        var status = await (await client.GetAsync("/status")).AssertOkJsonAsync();
        Assert.True(status.GetProperty("modelReady").GetBoolean());
        Assert.True(status.GetProperty("testAccuracy").GetDouble() >= 0.845);
        Assert.True(File.Exists(Path.Combine(factory.ModelDirectory, "active.json")));
    }
}
