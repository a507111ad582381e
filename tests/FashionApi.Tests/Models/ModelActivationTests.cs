using System.Net;
using FashionApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using static FashionApi.Tests.Infrastructure.HttpAssertions;

namespace FashionApi.Tests.Models;

/// <summary>One component owns which model serves: a finished job takes the store's lock once to decide, switch,
/// record and prune, rather than once per step.</summary>
public class ModelActivationTests
{
    [Fact]
    public async Task A_finished_job_takes_the_store_lock_once_to_save_and_once_to_decide_record_and_prune()
    {
        var logs = new LogCollector();
        using var factory = new FashionApiFactory(seedModel: true, new() { ["FashionApi:KeepVersions"] = "1", ["FashionApi:PruneGracePeriod"] = "00:00:00" });
        using var host = factory.WithWebHostBuilder(builder => builder.ConfigureLogging(logging => logging
            .AddProvider(logs).AddFilter<LogCollector>("FashionApi.Models", LogLevel.Debug)));
        var client = host.CreateClient();
        for (var ready = DateTime.UtcNow.AddSeconds(30); !(await client.GetAsync("/health/ready")).IsSuccessStatusCode; await Task.Delay(50))
            Assert.True(DateTime.UtcNow < ready, "the service did not become ready within 30 s");
        logs.Messages.Clear();

        var started = await (await client.PostAsync("/train", JsonBody(new { preset = "seed", epochs = 1 }))).AssertOkJsonAsync(HttpStatusCode.Accepted);
        string job = $"/train/{started.GetProperty("id").GetString()}";
        string? version = null;
        for (var deadline = DateTime.UtcNow.AddSeconds(120); version is null; await Task.Delay(100))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{job} did not succeed within 120 s");
            var state = await (await client.GetAsync(job)).AssertOkJsonAsync();
            Assert.NotEqual("failed", state.GetProperty("status").GetString());
            if (state.GetProperty("status").GetString() == "succeeded") version = state.GetProperty("modelVersion").GetString();
        }

        var taken = logs.Messages.Select(m => m.Text).Where(t => t.StartsWith("Model store lock taken to ")).ToList();
        Assert.Single(taken, t => t.Contains($"decide whether to activate model {version}"));
        // Recording it as active and pruning ran inside that hold, not as writes of their own.
        Assert.DoesNotContain(taken, t => t.StartsWith($"Model store lock taken to activate model {version}") || t.Contains("prune old model versions"));
        Assert.Equal(version, (await (await client.GetAsync("/model")).AssertOkJsonAsync()).GetProperty("version").GetString());
        Assert.Contains(logs.Messages, m => m.Text.StartsWith($"Deleted old model version {factory.SeedVersion}"));
    }
}
