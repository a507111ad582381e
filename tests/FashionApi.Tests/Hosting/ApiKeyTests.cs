using System.Net;
using FashionApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using static FashionApi.Tests.Infrastructure.HttpAssertions;

namespace FashionApi.Tests.Hosting;

/// <summary>Fail closed: outside Development the management routes never run without the key, whether it is
/// configured or generated; weak keys stop start-up.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes, as the service sets them on Linux
public class ApiKeyTests
{
    [Fact]
    public async Task With_a_key_set_training_cancelling_activation_and_event_streams_need_it_and_reads_stay_open()
    {
        using var factory = new FashionApiFactory();
        var client = await factory.CreateReadyClientAsync();
        client.DefaultRequestHeaders.Remove("X-Api-Key");

        await (await client.PostAsync("/train", JsonBody(new { preset = "seed" }))).AssertProblemAsync(HttpStatusCode.Unauthorized, "X-Api-Key");
        await (await client.DeleteAsync("/train/anything")).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await client.PostAsync($"/models/{factory.SeedVersion}/activate", JsonBody(new { }))).AssertProblemAsync(HttpStatusCode.Unauthorized);

        var wrong = new HttpRequestMessage(HttpMethod.Post, "/train") { Content = JsonBody(new { preset = "seed" }) };
        wrong.Headers.Add("X-Api-Key", FashionApiFactory.ApiKey + "x");
        await (await client.SendAsync(wrong)).AssertProblemAsync(HttpStatusCode.Unauthorized);

        await (await client.PostAsync("/predict", ImageContent(TestData.Png(TestData.FashionMnist.Test.Image(0))))).AssertOkJsonAsync();
        await (await client.GetAsync("/model")).AssertOkJsonAsync();
        await (await client.GetAsync("/train")).AssertOkJsonAsync();

        client.DefaultRequestHeaders.Add("X-Api-Key", FashionApiFactory.ApiKey);
        var job = await (await client.PostAsync("/train", JsonBody(new { preset = "seed", epochs = 500 }))).AssertOkJsonAsync(HttpStatusCode.Accepted);
        string id = job.GetProperty("id").GetString()!;
        client.DefaultRequestHeaders.Remove("X-Api-Key");
        await (await client.GetAsync($"/train/{id}/events", HttpCompletionOption.ResponseHeadersRead)).AssertProblemAsync(HttpStatusCode.Unauthorized, "X-Api-Key");
        await (await client.GetAsync($"/train/{id}")).AssertOkJsonAsync();

        client.DefaultRequestHeaders.Add("X-Api-Key", FashionApiFactory.ApiKey);
        await (await client.DeleteAsync($"/train/{id}")).AssertOkJsonAsync(HttpStatusCode.Accepted);
        await (await client.PostAsync($"/models/{factory.SeedVersion}/activate", JsonBody(new { }))).AssertOkJsonAsync();
    }

    [Fact]
    public async Task Outside_development_without_a_key_one_is_generated_into_the_model_directory_readable_by_its_owner_only()
    {
        var logs = new LogCollector();
        using var factory = new FashionApiFactory(seedModel: true, new() { ["FashionApi:ApiKey"] = null });
        using var production = factory.WithWebHostBuilder(builder => builder
            .UseEnvironment("Production")
            .ConfigureLogging(logging => logging.AddProvider(logs)));
        var client = production.CreateClient();
        client.DefaultRequestHeaders.Remove("X-Api-Key"); // the factory's clients read the generated key too
        await (await client.PostAsync($"/models/{factory.SeedVersion}/activate", JsonBody(new { })))
            .AssertProblemAsync(HttpStatusCode.Unauthorized, "api-key");

        string file = Path.Combine(factory.ModelDirectory, "api-key");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        string key = File.ReadAllText(file).Trim();
        Assert.True(key.Length >= 40, key);
        Assert.Contains(logs.Messages, m => m.Level == LogLevel.Warning && m.Text.Contains(file));
        Assert.DoesNotContain(logs.Messages, m => m.Text.Contains(key));

        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        await (await client.PostAsync($"/models/{factory.SeedVersion}/activate", JsonBody(new { }))).AssertOkJsonAsync();

        // Another instance on the same store (a restart, a second process) uses the same key rather than a new one.
        using var restarted = new FashionApiFactory(seedModel: false, new() { ["FashionApi:ApiKey"] = null, ["FashionApi:ModelDirectory"] = factory.ModelDirectory });
        using var again = restarted.WithWebHostBuilder(builder => builder.UseEnvironment("Production"));
        var second = again.CreateClient();
        second.DefaultRequestHeaders.Remove("X-Api-Key");
        second.DefaultRequestHeaders.Add("X-Api-Key", key);
        await (await second.PostAsync($"/models/{factory.SeedVersion}/activate", JsonBody(new { }))).AssertOkJsonAsync();
        Assert.Equal(key, File.ReadAllText(file).Trim());
    }

    [Fact]
    public async Task A_key_file_other_users_can_read_is_not_used_and_management_stays_closed()
    {
        var logs = new LogCollector();
        using var factory = new FashionApiFactory(seedModel: true, new() { ["FashionApi:ApiKey"] = null });
        string file = Path.Combine(factory.ModelDirectory, "api-key");
        File.WriteAllText(file, "a-key-that-other-users-can-read-0123456789\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        using var production = factory.WithWebHostBuilder(builder => builder.ConfigureLogging(logging => logging.AddProvider(logs)));
        var client = production.CreateClient();
        client.DefaultRequestHeaders.Remove("X-Api-Key");
        client.DefaultRequestHeaders.Add("X-Api-Key", "a-key-that-other-users-can-read-0123456789");
        await (await client.PostAsync($"/models/{factory.SeedVersion}/activate", JsonBody(new { }))).AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Contains(logs.Messages, m => m.Level == LogLevel.Error && m.Text.Contains("chmod 600"));
    }

    [Fact]
    public async Task In_development_without_a_key_management_is_open_and_the_log_says_so()
    {
        var logs = new LogCollector();
        using var factory = new FashionApiFactory(seedModel: true, new() { ["FashionApi:ApiKey"] = null });
        using var development = factory.WithWebHostBuilder(builder => builder
            .UseEnvironment("Development")
            .ConfigureLogging(logging => logging.AddProvider(logs)));
        await (await development.CreateClient().PostAsync($"/models/{factory.SeedVersion}/activate", JsonBody(new { }))).AssertOkJsonAsync();
        Assert.Contains(logs.Messages, m => m.Level == LogLevel.Warning && m.Text.Contains("no API key is set"));
        Assert.False(File.Exists(Path.Combine(factory.ModelDirectory, "api-key")));
    }

    [Theory]
    [InlineData("change-me", "placeholder")]
    [InlineData("CHANGEME", "placeholder")]
    [InlineData("short-key", "9 bytes")]
    [InlineData("${FASHIONAPI_API_KEY:-}", "unsubstituted")]
    public void A_placeholder_short_or_unsubstituted_key_stops_start_up_saying_why(string key, string reason)
    {
        using var factory = new FashionApiFactory(seedModel: false, new() { ["FashionApi:ApiKey"] = key });
        var failure = Assert.Throws<OptionsValidationException>(() => factory.CreateClient());
        Assert.Contains("FashionApi:ApiKey", failure.Message);
        Assert.Contains(reason, failure.Message);
        Assert.Contains("openssl rand", failure.Message);
    }
}
