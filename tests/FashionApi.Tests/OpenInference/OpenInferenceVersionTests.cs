using System.Net;
using System.Text;
using FashionApi.Models;
using FashionApi.Predictions;
using FashionApi.Softmax;
using FashionApi.OpenInference;
using FashionApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FashionApi.Tests.OpenInference;

/// <summary>Versioned routes serve the version named, active or not, from a bounded cache; no model yet is a 503.</summary>
public class OpenInferenceVersionTests
{
    static readonly string OneImage = $$"""{"inputs":[{"name":"pixels","shape":[1,784],"datatype":"UINT8","data":[{{string.Join(",", TestData.FashionMnist.Test.Image(0).ToArray())}}]}]}""";

    /// <summary>Weights that say <paramref name="label"/> for every image: the bias outweighs any pixel.</summary>
    static TrainingResult AlwaysSays(int label)
    {
        var seed = TestData.SeedModel;
        var bias = new float[10];
        bias[label] = 1000;
        return seed with { Weights = new ModelWeights(new float[seed.Weights.Weight.Length], bias) };
    }

    static async Task<HttpResponseMessage> InferAsync(HttpClient client, string route) =>
        await client.PostAsync($"/v2/models/fashion-mnist{route}/infer", new StringContent(OneImage, Encoding.UTF8, "application/json"));

    [Fact]
    public async Task A_versioned_request_is_answered_by_that_saved_version_while_the_active_one_keeps_serving()
    {
        using var factory = new FashionApiFactory(seedModel: true, new() { ["OpenInference:VersionCacheSize"] = "2" });
        var store = TestStores.Create(factory.ModelDirectory);
        var others = Enumerable.Range(3, 4).Select(label => (Label: label, store.Save(AlwaysSays(label), TestData.FashionMnist.ContentSha256, jobId: null).Version)).ToList();
        var client = await factory.CreateReadyClientAsync();
        var active = factory.Services.GetRequiredService<ActiveModel>().Current;
        int activeLabel = factory.Services.GetRequiredService<ModelPredictor>().Predict(TestData.FashionMnist.Test.Image(0))[0].Label;

        for (int round = 0; round < 2; round++)
            foreach (var (label, version) in others)
            {
                var response = await (await InferAsync(client, $"/versions/{version}")).AssertOkJsonAsync();
                Assert.Equal(version, response.GetProperty("model_version").GetString());
                Assert.Equal(label, response.GetProperty("outputs")[1].GetProperty("data")[0].GetInt64());
                Assert.InRange(factory.Services.GetRequiredService<ServedVersions>().CachedCount, 0, 2);
            }

        var unversioned = await (await InferAsync(client, "")).AssertOkJsonAsync();
        Assert.Equal(factory.SeedVersion, unversioned.GetProperty("model_version").GetString());
        Assert.Equal(activeLabel, unversioned.GetProperty("outputs")[1].GetProperty("data")[0].GetInt64());
        Assert.Same(active, factory.Services.GetRequiredService<ActiveModel>().Current); // never swapped
        var metadata = await (await client.GetAsync("/v2/models/fashion-mnist")).AssertOkJsonAsync();
        Assert.Equal(others.Select(o => o.Version).Append(factory.SeedVersion).Order(), metadata.GetProperty("versions").EnumerateArray().Select(v => v.GetString()).Order());

        // A version deleted from the store (pruned by another process) is gone, cached or not.
        Directory.Delete(Path.Combine(factory.ModelDirectory, "versions", others[^1].Version), recursive: true);
        await (await InferAsync(client, $"/versions/{others[^1].Version}")).AssertProblemAsync(HttpStatusCode.NotFound, "no version");
    }

    [Fact]
    public async Task A_damaged_version_is_a_409_and_the_active_model_still_answers()
    {
        using var factory = new FashionApiFactory(seedModel: true);
        var store = TestStores.Create(factory.ModelDirectory);
        string damaged = store.Save(AlwaysSays(1), TestData.FashionMnist.ContentSha256, jobId: null).Version;
        var weights = Path.Combine(factory.ModelDirectory, "versions", damaged, "weights.bin");
        var bytes = File.ReadAllBytes(weights);
        bytes[100] ^= 0xFF;
        File.WriteAllBytes(weights, bytes);
        var client = await factory.CreateReadyClientAsync();

        var problem = await (await InferAsync(client, $"/versions/{damaged}")).AssertProblemAsync(HttpStatusCode.Conflict, "damaged");
        Assert.Contains("checksum", problem.GetProperty("error").GetString());
        await (await InferAsync(client, "")).AssertOkJsonAsync();
    }

    [Fact]
    public async Task Before_any_model_is_loaded_readiness_is_false_and_inference_a_503_with_the_error()
    {
        using var factory = new FashionApiFactory(seedModel: false);
        var client = factory.CreateClient();
        Assert.True((await (await client.GetAsync("/v2/health/live")).AssertOkJsonAsync()).GetProperty("live").GetBoolean());
        Assert.False((await (await client.GetAsync("/v2/health/ready")).AssertOkJsonAsync(HttpStatusCode.ServiceUnavailable)).GetProperty("ready").GetBoolean());
        Assert.False((await (await client.GetAsync("/v2/models/fashion-mnist/ready")).AssertOkJsonAsync(HttpStatusCode.ServiceUnavailable)).GetProperty("ready").GetBoolean());
        var problem = await (await InferAsync(client, "")).AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "No model is ready");
        Assert.Contains("No model is ready", problem.GetProperty("error").GetString());
        Assert.Empty((await (await client.GetAsync("/v2/models/fashion-mnist")).AssertOkJsonAsync()).GetProperty("versions").EnumerateArray());
    }

    [Fact]
    public async Task The_model_name_is_configurable()
    {
        using var factory = new FashionApiFactory(seedModel: true, new() { ["OpenInference:ModelName"] = "clothes" });
        var client = await factory.CreateReadyClientAsync();
        var response = await (await client.PostAsync("/v2/models/clothes/infer", new StringContent(OneImage, Encoding.UTF8, "application/json"))).AssertOkJsonAsync();
        Assert.Equal("clothes", response.GetProperty("model_name").GetString());
        await (await InferAsync(client, "")).AssertProblemAsync(HttpStatusCode.NotFound, "serves 'clothes'");
    }
}
