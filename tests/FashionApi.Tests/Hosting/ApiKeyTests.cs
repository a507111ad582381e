using System.Net;
using FashionApi.Dataset;
using FashionApi.Tests.Infrastructure;
using static FashionApi.Tests.Infrastructure.HttpAssertions;

namespace FashionApi.Tests.Hosting;

public class ApiKeyTests
{
    const string Key = "s3cret-key";

    [Fact]
    public async Task With_a_key_set_training_cancelling_and_activation_need_it_and_reads_stay_open()
    {
        using var factory = new FashionApiFactory(seedModel: true, new() { ["FashionApi:ApiKey"] = Key });
        var client = await factory.CreateReadyClientAsync();

        await (await client.PostAsync("/train", JsonBody(new { preset = "seed" }))).AssertProblemAsync(HttpStatusCode.Unauthorized, "X-Api-Key");
        await (await client.DeleteAsync("/train/anything")).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await client.PostAsync($"/models/{factory.SeedVersion}/activate", null)).AssertProblemAsync(HttpStatusCode.Unauthorized);

        var wrong = new HttpRequestMessage(HttpMethod.Post, "/train") { Content = JsonBody(new { preset = "seed" }) };
        wrong.Headers.Add("X-Api-Key", Key + "x");
        await (await client.SendAsync(wrong)).AssertProblemAsync(HttpStatusCode.Unauthorized);

        await (await client.PostAsync("/predict", ImageContent(TestData.Png(TestData.FashionMnist.Test.Image(0))))).AssertOkJsonAsync();
        await (await client.GetAsync("/model")).AssertOkJsonAsync();
        await (await client.GetAsync("/train")).AssertOkJsonAsync();

        client.DefaultRequestHeaders.Add("X-Api-Key", Key);
        var job = await (await client.PostAsync("/train", JsonBody(new { preset = "seed", epochs = 500 }))).AssertOkJsonAsync(HttpStatusCode.Accepted);
        await (await client.DeleteAsync($"/train/{job.GetProperty("id").GetString()}")).AssertOkJsonAsync(HttpStatusCode.Accepted);
        await (await client.PostAsync($"/models/{factory.SeedVersion}/activate", null)).AssertOkJsonAsync();
    }

    [Fact]
    public async Task Without_a_key_configured_everything_is_open()
    {
        using var factory = new FashionApiFactory();
        var client = await factory.CreateReadyClientAsync();
        await (await client.PostAsync($"/models/{factory.SeedVersion}/activate", null)).AssertOkJsonAsync();
    }
}
