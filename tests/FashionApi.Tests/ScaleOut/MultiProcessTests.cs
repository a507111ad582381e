using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using FashionApi.Dataset;
using FashionApi.Hosting;
using FashionApi.Models;
using FashionApi.Softmax;
using FashionApi.Tests.Infrastructure;

namespace FashionApi.Tests.ScaleOut;

/// <summary>
/// The scaled-out setup as real processes on loopback ports: trainers and serving replicas started from the built
/// FashionApi.dll, sharing one temporary model directory the way pods share a ReadWriteMany volume. Jobs use the fast
/// <c>seed</c> preset with one epoch; the reload interval is the default one.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed partial class MultiProcessTests : IDisposable
{
    static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90), JobTimeout = TimeSpan.FromSeconds(120);
    /// <summary>The issue's promise: an activation reaches every replica within 3 s (the default poll is 1 s).</summary>
    static readonly TimeSpan SwitchLimit = TimeSpan.FromSeconds(3);

    readonly TempDirectory temp = new();
    readonly List<ServiceProcess> processes = [];
    string Models => Path.Combine(temp.Path, "models");

    ServiceProcess Start(string name, InstanceRole role, Dictionary<string, string>? settings = null)
    {
        var process = ServiceProcess.Start(name, role, Models, temp.Path, settings);
        processes.Add(process);
        return process;
    }

    string Logs => string.Join("\n", processes.Select(p => p.Log));

    [Fact]
    public async Task A_trainer_and_two_replicas_a_job_and_a_rollback_reach_both_replicas_under_load_without_a_failed_request()
    {
        var trainer = Start("trainer", InstanceRole.Train);
        var replicas = new[] { Start("replica-a", InstanceRole.Serve), Start("replica-b", InstanceRole.Serve) };
        foreach (var process in processes) await process.WaitUntilListeningAsync(StartTimeout);

        // An empty store: replicas are alive but not ready, and refuse to train.
        foreach (var replica in replicas)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await replica.Http.GetAsync("/health/ready")).StatusCode);
            await (await replica.Http.PostAsJsonAsync("/train", new { preset = "seed" })).AssertProblemAsync(HttpStatusCode.Conflict, "Role train or all");
        }

        string first = (await TrainAsync(trainer)).Version;
        foreach (var replica in replicas) await WaitForVersionAsync(replica, first, StartTimeout);
        foreach (var replica in replicas) Assert.True((await replica.Http.GetAsync("/health/ready")).IsSuccessStatusCode);

        using var load = new PredictionLoad(replicas);
        await load.WaitForRequestsAsync(20);

        string second = (await TrainAsync(trainer)).Version;
        foreach (var replica in replicas) await AssertSwitchedInTimeAsync(load, replica, second);

        await (await trainer.Http.PostAsync($"/models/{first}/activate", HttpAssertions.JsonBody(new { }))).AssertOkJsonAsync();
        foreach (var replica in replicas) await AssertSwitchedInTimeAsync(load, replica, first);

        var results = await load.StopAsync();
        Assert.True(results.Failures.IsEmpty, $"{results.Failures.Count} of {results.Count} predictions failed: {string.Join("; ", results.Failures.Take(5))}\n{Logs}");
        foreach (var replica in replicas)
        {
            Assert.True(results.CountFor(replica) >= 20, $"{replica.Name} answered only {results.CountFor(replica)} predictions");
            // Exporting ONNX reads only the weights file: done here, before the check that libtorch stayed unloaded.
            var onnx = await replica.Http.GetAsync($"/models/{first}/onnx");
            Assert.True(onnx.IsSuccessStatusCode, $"{replica.Name}: GET /models/{first}/onnx answered {(int)onnx.StatusCode}");
            // The Open Inference Protocol, on a version that is no longer active (loaded from the store on demand).
            var infer = await replica.Http.PostAsync($"/v2/models/fashion-mnist/versions/{second}/infer", new StringContent(
                $$"""{"inputs":[{"name":"pixels","shape":[1,784],"datatype":"UINT8","data":[{{string.Join(",", new byte[784])}}]}]}""",
                System.Text.Encoding.UTF8, "application/json"));
            Assert.True(infer.IsSuccessStatusCode, $"{replica.Name}: versioned infer answered {(int)infer.StatusCode}: {await infer.Content.ReadAsStringAsync()}");
            Assert.Contains(second, await infer.Content.ReadAsStringAsync());
            // Neither libtorch nor even the managed TorchSharp assembly: nothing on the serving path touches it.
            var torch = replica.MappedLibraries().Where(l => l.Contains("torch", StringComparison.OrdinalIgnoreCase)).ToList();
            Assert.True(torch.Count == 0, $"{replica.Name} (Role serve) has TorchSharp or libtorch mapped: {string.Join(", ", torch)}");
        }
        var trainerLibraries = trainer.MappedLibraries(); // the check can see them where they are
        Assert.Contains(trainerLibraries, l => l.StartsWith("libtorch_cpu"));
        Assert.Contains("TorchSharp.dll", trainerLibraries);
    }

    [Fact]
    public async Task A_trainer_killed_while_saving_leaves_the_replica_serving_and_a_restarted_trainer_cleans_up_and_trains()
    {
        var trainer = Start("trainer", InstanceRole.Train);
        var replica = Start("replica", InstanceRole.Serve);
        foreach (var process in processes) await process.WaitUntilListeningAsync(StartTimeout);
        string first = (await TrainAsync(trainer)).Version;
        await WaitForVersionAsync(replica, first, StartTimeout);

        // Kill the trainer inside a save: the test holds the store's lock, so the finished job's save waits for it.
        string jobId;
        using (await TakeStoreLockAsync())
        {
            jobId = await StartJobAsync(trainer);
            await WaitForAsync(async () =>
            {
                var job = await trainer.Http.GetFromJsonAsync<JsonElement>($"/train/{jobId}");
                return job.GetProperty("status").GetString() == "running" && job.GetProperty("progress").GetProperty("percent").GetDouble() >= 100;
            }, JobTimeout, "the job to finish training and start saving");
            await Task.Delay(1000); // past the last evaluation, into the save that waits for the lock
            Assert.Contains(trainer.Output, line => line.Contains("epoch 1/1"));
            trainer.KillHard();
        }
        // What a kill in the middle of writing leaves: a staging folder with part of a weights file (written long enough ago).
        string leftover = Path.Combine(Models, "versions", ".staging-20260101-000000-000-scratch-killed");
        Directory.CreateDirectory(leftover);
        File.WriteAllBytes(Path.Combine(leftover, "weights.bin"), new byte[1000]);
        File.SetLastWriteTimeUtc(Path.Combine(leftover, "weights.bin"), DateTime.UtcNow.AddMinutes(-5));
        Directory.SetLastWriteTimeUtc(leftover, DateTime.UtcNow.AddMinutes(-5));

        for (int i = 0; i < 5; i++, await Task.Delay(300))
            Assert.Equal(first, (await PredictAsync(replica)).GetProperty("modelVersion").GetString());

        var restarted = Start("trainer-restarted", InstanceRole.Train, new() { ["FashionApi__StaleLeftoverAge"] = "00:01:00" });
        await WaitForVersionAsync(restarted, first, StartTimeout);
        await WaitForAsync(() => Task.FromResult(!Directory.Exists(leftover)), StartTimeout, "the restarted trainer to remove the leftover");
        string next = (await TrainAsync(restarted)).Version;
        await WaitForVersionAsync(replica, next, StartTimeout);
        Assert.Empty(Directory.GetDirectories(Path.Combine(Models, "versions"), ".*"));
    }

    [Fact]
    public async Task Two_trainers_on_one_store_never_write_at_the_same_time_and_leave_only_whole_versions()
    {
        var trainers = new[]
        {
            Start("trainer-1", InstanceRole.Train, new() { ["FashionApi__KeepVersions"] = "3", ["FashionApi__PruneGracePeriod"] = "00:00:00" }),
            Start("trainer-2", InstanceRole.Train, new() { ["FashionApi__KeepVersions"] = "3", ["FashionApi__PruneGracePeriod"] = "00:00:00" }),
        };
        foreach (var process in processes) await process.WaitUntilListeningAsync(StartTimeout);

        // Three jobs on each, queued at once: saves, activations and prunes from both processes interleave.
        var jobs = new List<(ServiceProcess Trainer, string Id)>();
        for (int i = 0; i < 3; i++)
            foreach (var trainer in trainers) jobs.Add((trainer, await StartJobAsync(trainer)));
        foreach (var (trainer, id) in jobs)
        {
            var job = await WaitForJobAsync(trainer, id);
            Assert.True(job.GetProperty("status").GetString() == "succeeded", $"job {id} on {trainer.Name}: {job}\n{Logs}");
        }

        // A job's prune runs in the hold that promotes its model, released just before the job reports success; the
        // processes' output may lag: wait for all six releases before looking at the store.
        await WaitForAsync(() => Task.FromResult(trainers.Sum(t => t.Output.Count(l => l.Contains("Model store lock released after decide whether to activate"))) >= jobs.Count),
            JobTimeout, "every job's promotion and prune to finish");

        // Every write held the lock, and no two holds overlapped (times logged by each process on the same clock).
        var holds = trainers.SelectMany(t => LockHolds(t)).OrderBy(h => h.Taken).ToList();
        Assert.True(holds.Count >= 12, $"expected a lock hold per save and activation, found {holds.Count}\n{Logs}");
        Assert.Equal(2, holds.Select(h => h.Process).Distinct().Count());
        for (int i = 1; i < holds.Count; i++)
            Assert.True(holds[i].Taken >= holds[i - 1].Released,
                $"{holds[i].Process} took the lock at {holds[i].Taken:O} while {holds[i - 1].Process} held it until {holds[i - 1].Released:O}");

        var store = TestStores.Create(Models);
        var versions = store.List();
        Assert.InRange(versions.Count, 3, 6);
        foreach (var version in versions) store.Load(version.Version); // throws if any is damaged
        Assert.Contains(store.ActiveVersion(), versions.Select(v => v.Version));
        Assert.Empty(Directory.GetDirectories(Path.Combine(Models, "versions"), ".*"));
    }

    /// <summary>Takes the store's lock as another writer would, waiting while the trainer holds it (it may be pruning
    /// after its previous job).</summary>
    async Task<FileStream> TakeStoreLockAsync()
    {
        string path = Path.Combine(Models, FashionApi.Models.StoreLock.FileName);
        for (var deadline = DateTime.UtcNow.AddSeconds(30); ; await Task.Delay(50))
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                // held by the trainer right now
            }
        }
    }

    [GeneratedRegex(@"Model store lock (taken|released) .* at (\S+Z)")]
    private static partial Regex LockLine();

    static List<(string Process, DateTimeOffset Taken, DateTimeOffset Released)> LockHolds(ServiceProcess trainer)
    {
        var holds = new List<(string, DateTimeOffset, DateTimeOffset)>();
        DateTimeOffset? taken = null;
        foreach (var match in trainer.Output.Select(line => LockLine().Match(line)).Where(m => m.Success))
        {
            var at = DateTimeOffset.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
            if (match.Groups[1].Value == "taken") taken = at;
            else if (taken is { } start)
            {
                holds.Add((trainer.Name, start, at));
                taken = null;
            }
        }
        return holds;
    }

    async Task<(string Version, DateTimeOffset ActivatedAt)> TrainAsync(ServiceProcess trainer)
    {
        var job = await WaitForJobAsync(trainer, await StartJobAsync(trainer));
        Assert.True(job.GetProperty("status").GetString() == "succeeded", $"The job failed: {job}\n{Logs}");
        return (job.GetProperty("modelVersion").GetString()!, job.GetProperty("finishedAt").GetDateTimeOffset());
    }

    async Task<string> StartJobAsync(ServiceProcess trainer)
    {
        var response = await trainer.Http.PostAsJsonAsync("/train", new { preset = "seed", epochs = 1 });
        return (await response.AssertOkJsonAsync(HttpStatusCode.Accepted)).GetProperty("id").GetString()!;
    }

    async Task<JsonElement> WaitForJobAsync(ServiceProcess trainer, string id)
    {
        JsonElement job = default;
        await WaitForAsync(async () =>
        {
            job = await trainer.Http.GetFromJsonAsync<JsonElement>($"/train/{id}");
            return job.GetProperty("status").GetString() is "succeeded" or "failed" or "cancelled";
        }, JobTimeout, $"job {id} on {trainer.Name} to finish");
        return job;
    }

    async Task WaitForVersionAsync(ServiceProcess process, string version, TimeSpan timeout) =>
        await WaitForAsync(async () =>
        {
            var status = await process.Http.GetFromJsonAsync<JsonElement>("/status");
            return status.GetProperty("modelVersion").GetString() == version;
        }, timeout, $"{process.Name} to serve model {version}");

    /// <summary>The replica answers predictions with <paramref name="version"/>, and switched to it within the limit of
    /// its activation: the time active.json records (the trainer's clock) against the time the replica reports in
    /// /status (its own clock; one machine, one clock), so a test client slowed by a busy machine does not count.</summary>
    async Task AssertSwitchedInTimeAsync(PredictionLoad load, ServiceProcess replica, string version)
    {
        var active = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Models, "active.json"))).RootElement;
        Assert.Equal(version, active.GetProperty("version").GetString());
        var activatedAt = active.GetProperty("activatedAt").GetDateTimeOffset();
        var seen = await load.FirstAnswerWithAsync(replica, version, since: activatedAt, until: DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30));
        Assert.True(seen is not null, $"{replica.Name} never answered with model {version}\n{Logs}");
        var status = await replica.Http.GetFromJsonAsync<JsonElement>("/status");
        Assert.Equal(version, status.GetProperty("modelVersion").GetString());
        var delay = status.GetProperty("servingSince").GetDateTimeOffset() - activatedAt;
        Assert.True(delay <= SwitchLimit, $"{replica.Name} switched to {version} {delay.TotalSeconds:F2} s after its activation (limit {SwitchLimit.TotalSeconds} s)");
    }

    static async Task<JsonElement> PredictAsync(ServiceProcess replica)
    {
        var response = await replica.Http.PostAsync("/predict", PredictionLoad.Body());
        return await response.AssertOkJsonAsync();
    }

    async Task WaitForAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        for (var deadline = DateTime.UtcNow + timeout; DateTime.UtcNow < deadline; await Task.Delay(100))
        {
            try
            {
                if (await condition()) return;
            }
            catch (HttpRequestException) { } // a process still starting
        }
        Assert.Fail($"Timed out after {timeout.TotalSeconds} s waiting for {what}.\n{Logs}");
    }

    public void Dispose()
    {
        foreach (var process in processes) process.Dispose();
        temp.Dispose();
    }

    /// <summary>A steady stream of predictions, one client loop per replica, recording every answer.</summary>
    sealed class PredictionLoad : IDisposable
    {
        readonly CancellationTokenSource stop = new();
        readonly ConcurrentQueue<(ServiceProcess Replica, DateTimeOffset At, string? Version)> answers = new();
        readonly Task[] loops;
        public ConcurrentQueue<string> Failures { get; } = new();

        public PredictionLoad(IEnumerable<ServiceProcess> replicas) =>
            loops = replicas.Select(replica => Task.Run(() => LoopAsync(replica))).ToArray();

        public static StringContent Body() => new(
            JsonSerializer.Serialize(new { pixels = TestData.FashionMnist.Test.Image(0).ToArray().Select(b => (int)b) }), Encoding.UTF8, "application/json");

        async Task LoopAsync(ServiceProcess replica)
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var response = await replica.Http.PostAsync("/predict", Body(), stop.Token);
                    string body = await response.Content.ReadAsStringAsync(stop.Token);
                    if (response.StatusCode != HttpStatusCode.OK)
                        Failures.Enqueue($"{replica.Name}: {(int)response.StatusCode} {body}");
                    else
                        answers.Enqueue((replica, DateTimeOffset.UtcNow, JsonDocument.Parse(body).RootElement.GetProperty("modelVersion").GetString()));
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
                catch (Exception e)
                {
                    Failures.Enqueue($"{replica.Name}: {e.GetType().Name} {e.Message}");
                }
            }
        }

        public int CountFor(ServiceProcess replica) => answers.Count(a => a.Replica == replica);
        public int Count => answers.Count + Failures.Count;

        public async Task WaitForRequestsAsync(int perReplica)
        {
            for (var deadline = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < deadline; await Task.Delay(50))
                if (answers.GroupBy(a => a.Replica).Count() == loops.Length && answers.GroupBy(a => a.Replica).All(g => g.Count() >= perReplica)) return;
            Assert.Fail($"The load did not reach {perReplica} answers per replica within 60 s; failures: {string.Join("; ", Failures.Take(5))}");
        }

        /// <summary>When <paramref name="replica"/> first answered with <paramref name="version"/> after <paramref name="since"/>
        /// (checked until <paramref name="until"/>).</summary>
        public async Task<DateTimeOffset?> FirstAnswerWithAsync(ServiceProcess replica, string version, DateTimeOffset since, DateTimeOffset until)
        {
            for (; DateTimeOffset.UtcNow < until; await Task.Delay(50))
            {
                var hits = answers.Where(a => a.Replica == replica && a.Version == version && a.At >= since).Select(a => a.At).ToList();
                if (hits.Count > 0) return hits.Min();
            }
            return null;
        }

        public async Task<PredictionLoad> StopAsync()
        {
            stop.Cancel();
            await Task.WhenAll(loops);
            return this;
        }

        public void Dispose()
        {
            stop.Cancel();
            stop.Dispose();
        }
    }
}
