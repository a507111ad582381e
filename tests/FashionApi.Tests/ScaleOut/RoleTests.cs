using System.Net;
using System.Net.Http.Json;
using FashionApi.Dataset;
using FashionApi.Models;
using FashionApi.Tests.Infrastructure;
using FashionApi.Training;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FashionApi.Tests.ScaleOut;

/// <summary>What Role serve does and refuses, and how every role follows activations made by another process (here
/// another <see cref="ModelStore"/> on the same directory, which is what another process amounts to for the files).</summary>
public class RoleTests
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    static FashionApiFactory Serving(bool seedModel) => new(seedModel, new()
    {
        ["FashionApi:Role"] = "serve",
        ["FashionApi:ReloadInterval"] = "00:00:00.100",
    });

    [Fact]
    public async Task A_serving_instance_refuses_training_and_activation_with_409_and_says_where_to_go()
    {
        using var factory = Serving(seedModel: true);
        var before = Snapshot(factory.ModelDirectory);
        var client = await factory.CreateReadyClientAsync();

        await (await client.PostAsJsonAsync("/train", new { preset = "seed" })).AssertProblemAsync(HttpStatusCode.Conflict, "Role train or all");
        await (await client.DeleteAsync("/train/abc")).AssertProblemAsync(HttpStatusCode.Conflict, "Role train or all");
        await (await client.PostAsync($"/models/{factory.SeedVersion}/activate", HttpAssertions.JsonBody(new { }))).AssertProblemAsync(HttpStatusCode.Conflict, "Role train or all");

        var status = await (await client.GetAsync("/status")).AssertOkJsonAsync();
        Assert.Equal("serve", status.GetProperty("role").GetString());
        Assert.DoesNotContain(factory.Services.GetServices<IHostedService>(), s => s is TrainingWorker);
        Assert.Contains(factory.Services.GetServices<IHostedService>(), s => s is ActiveModelReloader);
        Assert.Equal(before, Snapshot(factory.ModelDirectory)); // nothing written
    }

    /// <summary>Every file and folder under <paramref name="directory"/> with its size and last write time.</summary>
    static List<string> Snapshot(string directory) =>
        Directory.GetFileSystemEntries(directory, "*", SearchOption.AllDirectories).Order()
            .Select(path => $"{path} {(File.Exists(path) ? new FileInfo(path).Length : -1)} {File.GetLastWriteTimeUtc(path):O}").ToList();

    [Fact]
    public async Task The_default_role_is_all_and_trains()
    {
        using var factory = new FashionApiFactory();
        var client = await factory.CreateReadyClientAsync();
        var status = await (await client.GetAsync("/status")).AssertOkJsonAsync();
        Assert.Equal("all", status.GetProperty("role").GetString());
        Assert.Contains(factory.Services.GetServices<IHostedService>(), s => s is TrainingWorker);
    }

    [Theory]
    [InlineData("Role", "everything")]
    [InlineData("ReloadInterval", "00:00:00")]
    [InlineData("StoreLockTimeout", "01:00:00")]
    public void An_invalid_scale_out_setting_stops_start_up_naming_it(string setting, string value)
    {
        using var factory = new FashionApiFactory(seedModel: false, new() { [$"FashionApi:{setting}"] = value });
        var e = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains(setting, e.ToString());
    }

    [Fact]
    public async Task A_serving_instance_on_an_empty_store_is_not_ready_until_a_model_appears_then_follows_activations()
    {
        using var factory = Serving(seedModel: false);
        var client = factory.CreateClient();
        await Task.Delay(300); // a few polls of an empty store
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/health/ready")).StatusCode);

        var trainer = TestStores.Create(factory.ModelDirectory); // another process's view of the same store
        var first = trainer.Save(TestData.SeedModel, TestData.FashionMnist.ContentSha256, jobId: null);
        await Task.Delay(300); // saved but not activated: not for serving yet
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/health/ready")).StatusCode);
        trainer.MarkActive(first.Version);
        await WaitForVersionAsync(client, first.Version);

        var second = trainer.Save(TestData.SeedModel, TestData.FashionMnist.ContentSha256, jobId: null);
        trainer.MarkActive(second.Version);
        await WaitForVersionAsync(client, second.Version);

        trainer.MarkActive(first.Version); // a rollback
        await WaitForVersionAsync(client, first.Version);
    }

    [Fact]
    public async Task A_damaged_version_named_active_is_not_served_and_is_retried_until_it_is_whole()
    {
        using var factory = Serving(seedModel: true);
        var client = await factory.CreateReadyClientAsync();
        var trainer = TestStores.Create(factory.ModelDirectory);
        var next = trainer.Save(TestData.SeedModel, TestData.FashionMnist.ContentSha256, jobId: null);
        string weights = Path.Combine(factory.ModelDirectory, "versions", next.Version, "weights.bin");
        byte[] good = File.ReadAllBytes(weights);
        File.WriteAllBytes(weights, good[..(good.Length / 2)]); // what a half-visible copy on a network file system looks like
        trainer.MarkActive(next.Version);

        await Task.Delay(500); // several polls
        var model = await (await client.GetAsync("/model")).AssertOkJsonAsync();
        Assert.Equal(factory.SeedVersion, model.GetProperty("version").GetString());
        await (await client.PostAsync("/predict", new StringContent($"{{\"pixels\":[{string.Join(',', new int[784])}]}}", System.Text.Encoding.UTF8, "application/json"))).AssertOkJsonAsync();

        File.WriteAllBytes(weights, good); // the rest of the file arrives
        await WaitForVersionAsync(client, next.Version);
    }

    static async Task WaitForVersionAsync(HttpClient client, string version)
    {
        string? seen = null;
        for (var deadline = DateTime.UtcNow + Patience; DateTime.UtcNow < deadline; await Task.Delay(50))
        {
            var response = await client.GetAsync("/status");
            seen = (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("modelVersion").GetString();
            if (seen == version) return;
        }
        Assert.Fail($"The instance did not switch to model {version} within {Patience.TotalSeconds} s (still serving {seen ?? "nothing"}).");
    }
}
