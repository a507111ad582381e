using System.Net;
using System.Text.Json;
using FashionApi.Tests.Infrastructure;
using static FashionApi.Tests.Infrastructure.HttpAssertions;

namespace FashionApi.Tests.Models;

public class PromotionPolicyTests
{
    static async Task<JsonElement> TrainToEndAsync(HttpClient client, object body)
    {
        var response = await client.PostAsync("/train", JsonBody(body));
        string job = $"/train/{(await response.AssertOkJsonAsync(HttpStatusCode.Accepted)).GetProperty("id").GetString()}";
        for (var deadline = DateTime.UtcNow.AddSeconds(120); ; await Task.Delay(100))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{job} did not finish within 120 s");
            var state = await (await client.GetAsync(job)).AssertOkJsonAsync();
            string? status = state.GetProperty("status").GetString();
            if (status is "succeeded") return state;
            Assert.True(status is "queued" or "running", $"{job} ended {status}: {state}");
        }
    }

    static async Task<string> ServingAsync(HttpClient client) =>
        (await (await client.GetAsync("/model")).AssertOkJsonAsync()).GetProperty("version").GetString()!;

    [Fact]
    public async Task IfBetter_and_never_save_without_activating_and_say_why_and_the_policy_is_kept_in_the_manifest()
    {
        using var factory = new FashionApiFactory(); // serves the seed preset's model: test accuracy 0.8272
        var client = await factory.CreateReadyClientAsync();

        // One epoch of the seed preset reaches about 0.79: not better, so it is saved but not served.
        var worse = await TrainToEndAsync(client, new { preset = "seed", epochs = 1, activate = "ifBetter" });
        string worseVersion = worse.GetProperty("modelVersion").GetString()!;
        Assert.Equal("ifBetter", worse.GetProperty("activate").GetString());
        Assert.False(worse.GetProperty("activated").GetBoolean());
        Assert.Contains("does not beat", worse.GetProperty("notActivatedReason").GetString());
        Assert.Contains(factory.SeedVersion!, worse.GetProperty("notActivatedReason").GetString());
        Assert.Equal(factory.SeedVersion, await ServingAsync(client));

        var never = await TrainToEndAsync(client, new { preset = "seed", epochs = 1, activate = "never" });
        Assert.False(never.GetProperty("activated").GetBoolean());
        Assert.Contains("never", never.GetProperty("notActivatedReason").GetString());
        Assert.Equal(factory.SeedVersion, await ServingAsync(client));

        // The default preset reaches about 0.85: better, so it serves.
        var better = await TrainToEndAsync(client, new { preset = "default", activate = "ifBetter" });
        Assert.True(better.GetProperty("activated").GetBoolean());
        Assert.Equal(JsonValueKind.Null, better.GetProperty("notActivatedReason").ValueKind);
        string betterVersion = better.GetProperty("modelVersion").GetString()!;
        Assert.Equal(betterVersion, await ServingAsync(client));

        // GET /models: every version with its accuracy, implementation, preset, creation time and whether it is active.
        var versions = (await (await client.GetAsync("/models")).AssertOkJsonAsync()).EnumerateArray().ToList();
        Assert.Equal(4, versions.Count);
        var listed = versions.Single(v => v.GetProperty("version").GetString() == worseVersion);
        Assert.False(listed.GetProperty("active").GetBoolean());
        Assert.Equal("seed", listed.GetProperty("preset").GetString());
        Assert.Equal(worse.GetProperty("hyperparameters").GetProperty("implementation").GetString(), listed.GetProperty("implementation").GetString());
        Assert.Equal("ifBetter", listed.GetProperty("activation").GetString());
        Assert.Equal(worse.GetProperty("testAccuracy").GetDouble(), listed.GetProperty("testAccuracy").GetDouble());
        Assert.True(listed.GetProperty("createdAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-10));
        Assert.Equal([betterVersion], versions.Where(v => v.GetProperty("active").GetBoolean()).Select(v => v.GetProperty("version").GetString()));

        // GET /models/{version}: one version's whole manifest, the policy included.
        var manifest = await (await client.GetAsync($"/models/{worseVersion}")).AssertOkJsonAsync();
        Assert.Equal(worseVersion, manifest.GetProperty("version").GetString());
        Assert.Equal("ifBetter", manifest.GetProperty("activation").GetString());
        Assert.Equal("seed", manifest.GetProperty("preset").GetString());
        Assert.Equal(1, manifest.GetProperty("history").GetArrayLength());
        Assert.Equal(10, manifest.GetProperty("evaluation").GetProperty("confusionMatrix").GetArrayLength());
        Assert.Equal(64, manifest.GetProperty("weightsSha256").GetString()!.Length);
        Assert.Equal(worse.GetProperty("id").GetString(), manifest.GetProperty("jobId").GetString());

        // The skipped version can still be served by hand.
        (await client.PostAsync($"/models/{worseVersion}/activate", JsonBody(new { }))).EnsureSuccessStatusCode();
        Assert.Equal(worseVersion, await ServingAsync(client));
    }

    [Fact]
    public async Task Unknown_versions_and_policies_are_refused_with_problem_details()
    {
        using var factory = new FashionApiFactory();
        var client = factory.CreateClient();
        await (await client.GetAsync("/models/20200101-000000-000-scratch-abcdef")).AssertProblemAsync(HttpStatusCode.NotFound, "GET /models lists them");
        await (await client.GetAsync("/models/..%2F..%2Fetc")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await client.PostAsync("/train", JsonBody(new { activate = "sometimes" }))).AssertProblemAsync(HttpStatusCode.BadRequest, "ifBetter");

        var queued = await (await client.PostAsync("/train", JsonBody(new { preset = "seed", epochs = 1 }))).AssertOkJsonAsync(HttpStatusCode.Accepted);
        Assert.Equal("always", queued.GetProperty("activate").GetString());
        Assert.Equal(JsonValueKind.Null, queued.GetProperty("activated").ValueKind);
    }
}
