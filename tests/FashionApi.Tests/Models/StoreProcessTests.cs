using System.Diagnostics;
using System.Net;
using FashionApi.Hosting;
using FashionApi.Models;
using FashionApi.Tests.Infrastructure;
using static FashionApi.Tests.Infrastructure.HttpAssertions;

namespace FashionApi.Tests.Models;

/// <summary>The store's lock and permissions between real processes: the service as a process of its own, the test
/// as the other process holding the lock, and a store owned by another user than the service's.</summary>
[Trait("Category", "EndToEnd")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class StoreProcessTests : IDisposable
{
    const int Nobody = 65534;
    readonly TempDirectory temp = new();
    readonly List<ServiceProcess> processes = [];
    string Models => Path.Combine(temp.Path, "models");

    ServiceProcess Start(InstanceRole role, Dictionary<string, string>? settings = null, int? userId = null)
    {
        var process = ServiceProcess.Start(role.ToString(), role, Models, temp.Path, settings, userId);
        processes.Add(process);
        return process;
    }

    [Fact]
    public async Task Activations_waiting_for_a_lock_another_process_holds_take_no_threads_and_predictions_keep_answering()
    {
        var seeded = TestData.SaveSeedModel(Models);
        var service = Start(InstanceRole.All, new() { ["FashionApi__StoreLockTimeout"] = "00:00:03", ["FashionApi__ManagementRequestsPerMinute"] = "0" });
        await service.WaitUntilListeningAsync(TimeSpan.FromSeconds(90));
        await WaitForAsync(service, "/health/ready", HttpStatusCode.OK);
        var png = TestData.Png(TestData.FashionMnist.Test.Image(0));
        for (int i = 0; i < 50; i++) await service.Http.PostAsync("/predict", ImageContent(png)); // warm
        long threadsBefore = service.Status("Threads");

        // This test process holds the store's lock, as a writer in another process would.
        using var holder = new FileStream(Path.Combine(Models, StoreLock.FileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        const int activations = 75;
        var started = Stopwatch.StartNew();
        var waiting = Enumerable.Range(0, activations)
            .Select(_ => service.Http.PostAsync($"/models/{seeded.Version}/activate", JsonBody(new { }))).ToList();
        var latencies = new List<double>();
        long threadsMost = 0;
        while (!waiting.All(t => t.IsCompleted))
        {
            var one = Stopwatch.StartNew();
            Assert.Equal(HttpStatusCode.OK, (await service.Http.PostAsync("/predict", ImageContent(png))).StatusCode);
            latencies.Add(one.Elapsed.TotalMilliseconds);
            threadsMost = Math.Max(threadsMost, service.Status("Threads"));
        }
        var answers = await Task.WhenAll(waiting);
        var elapsed = started.Elapsed;

        foreach (var answer in answers) await answer.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "another process");
        Assert.True(elapsed < TimeSpan.FromSeconds(12), $"{activations} activations took {elapsed} to be refused (lock timeout 3 s)");
        latencies.Sort();
        double p99 = latencies[(int)(0.99 * (latencies.Count - 1))];
        Assert.True(latencies.Count >= 10 && p99 < 1000,
            $"{latencies.Count} predictions while {activations} activations waited: p99 {p99:F0} ms, max {latencies[^1]:F0} ms\n{service.Log}");
        // Each waiting activation used to hold a thread-pool thread (blocking waits): 75 of them took it from 23 to 58.
        Assert.True(threadsMost <= threadsBefore + 12, $"threads went from {threadsBefore} to {threadsMost} while {activations} activations waited");

        holder.Dispose();
        await (await service.Http.PostAsync($"/models/{seeded.Version}/activate", JsonBody(new { }))).AssertOkJsonAsync();
    }

    [Fact]
    public async Task A_trainer_on_a_store_it_may_not_write_is_not_ready_says_what_to_fix_and_becomes_ready_once_fixed()
    {
        // Root (the test) owns the store, as on a volume mounted without fsGroup; the service runs as nobody.
        File.SetUnixFileMode(temp.Path, (UnixFileMode)0b111_101_101);
        Directory.CreateDirectory(Models);
        File.SetUnixFileMode(Models, (UnixFileMode)0b111_101_101);
        var trainer = Start(InstanceRole.Train, userId: Nobody);
        await trainer.WaitUntilListeningAsync(TimeSpan.FromSeconds(90));

        string ready = await WaitForAsync(trainer, "/health/ready", HttpStatusCode.ServiceUnavailable, "permission denied");
        Assert.Contains("fsGroup", ready);
        Assert.DoesNotContain(Models, ready);
        Assert.Contains(trainer.Output, line => line.Contains("cannot be written") && line.Contains(Models) && line.Contains($"uid {Nobody}"));
        await (await trainer.Http.PostAsync("/train", JsonBody(new { preset = "seed", epochs = 1 }))).AssertOkJsonAsync(HttpStatusCode.Accepted);

        using (var chown = Process.Start("chown", ["-R", $"{Nobody}:{Nobody}", Models]))
        {
            await chown.WaitForExitAsync();
            Assert.Equal(0, chown.ExitCode);
        }
        // Ready on an empty store: a trainer's readiness means it can take POST /train, not that it serves a model.
        await WaitForAsync(trainer, "/health/ready", HttpStatusCode.OK);
        var job = await (await trainer.Http.PostAsync("/train", JsonBody(new { preset = "seed", epochs = 1 }))).AssertOkJsonAsync(HttpStatusCode.Accepted);
        string id = job.GetProperty("id").GetString()!;
        for (var deadline = DateTime.UtcNow.AddSeconds(120); ; await Task.Delay(200))
        {
            var snapshot = await (await trainer.Http.GetAsync($"/train/{id}")).AssertOkJsonAsync();
            if (snapshot.GetProperty("status").GetString() == "succeeded") break;
            Assert.True(DateTime.UtcNow < deadline && snapshot.GetProperty("status").GetString() is "queued" or "running", $"{snapshot}\n{trainer.Log}");
        }
        Assert.NotEmpty(Directory.GetDirectories(Path.Combine(Models, "versions")));
    }

    static async Task<string> WaitForAsync(ServiceProcess service, string path, HttpStatusCode status, string contains = "")
    {
        string body = "";
        for (var deadline = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < deadline; await Task.Delay(200))
        {
            var response = await service.Http.GetAsync(path);
            body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == status && body.Contains(contains)) return body;
        }
        throw new Xunit.Sdk.XunitException($"{path} did not answer {(int)status} '{contains}' within 60 s; last: {body}\n{service.Log}");
    }

    public void Dispose()
    {
        foreach (var process in processes) process.Dispose();
        temp.Dispose();
    }
}
