using System.Net;
using System.Security.Cryptography;
using FashionApi.Models;
using FashionApi.Tests.Infrastructure;
using static FashionApi.Tests.Infrastructure.HttpAssertions;

namespace FashionApi.Tests.Models;

/// <summary>A store that keeps its files to itself and says what is wrong with it: owner-only modes, no symbolic
/// links followed, a read-only or full file system reported as such (503, no absolute path in anything a client sees).
/// Read-only and full file systems are real ones (a small tmpfs), since the tests run as root.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public class StoreSafetyTests : IDisposable
{
    readonly TempDirectory temp = new();
    string Models => Path.Combine(temp.Path, "models");

    public void Dispose() => temp.Dispose();

    [Fact]
    public void The_store_its_versions_and_its_lock_file_are_readable_by_their_owner_only()
    {
        Directory.CreateDirectory(Models);
        File.WriteAllText(Path.Combine(Models, StoreLock.FileName), ""); // left 0644 by an older version
        File.SetUnixFileMode(Path.Combine(Models, StoreLock.FileName), (UnixFileMode)0b110_100_100);
        var store = TestStores.Create(Models);
        var saved = store.Save(TestData.SeedModel, "sha", jobId: null);
        store.MarkActive(saved.Version);

        const UnixFileMode directory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        const UnixFileMode file = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        Assert.Equal(directory, File.GetUnixFileMode(Path.Combine(Models, "versions")));
        Assert.Equal(directory, File.GetUnixFileMode(Path.Combine(Models, "versions", saved.Version)));
        Assert.Equal(file, File.GetUnixFileMode(Path.Combine(Models, "versions", saved.Version, "weights.bin")));
        Assert.Equal(file, File.GetUnixFileMode(Path.Combine(Models, "versions", saved.Version, "manifest.json")));
        Assert.Equal(file, File.GetUnixFileMode(Path.Combine(Models, "active.json")));
        Assert.Equal(file, File.GetUnixFileMode(Path.Combine(Models, StoreLock.FileName)));
    }

    [Fact]
    public async Task A_symbolic_link_in_the_store_is_refused_and_nothing_about_its_target_is_disclosed()
    {
        using var factory = new FashionApiFactory(seedModel: true);
        var client = await factory.CreateReadyClientAsync(); // serving the seed version, loaded before the link is made
        string secret = Path.Combine(temp.Path, "secret.txt");
        File.WriteAllText(secret, "root:$6$not-a-model:19000:0:99999:7:::\n");
        string weights = Path.Combine(factory.ModelDirectory, "versions", factory.SeedVersion!, "weights.bin");
        File.Delete(weights);
        File.CreateSymbolicLink(weights, secret);
        string targetHash = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(secret)));

        foreach (var response in new[]
                 {
                     await client.GetAsync($"/models/{factory.SeedVersion}/weights"),
                     await client.PostAsync($"/models/{factory.SeedVersion}/activate", JsonBody(new { })),
                 })
        {
            var problem = await response.AssertProblemAsync(HttpStatusCode.Conflict, "symbolic link");
            string detail = problem.GetProperty("detail").GetString()!;
            Assert.DoesNotContain(targetHash, detail);
            Assert.DoesNotContain(temp.Path, detail);
        }
    }

    [Fact]
    public async Task A_damaged_version_is_described_without_the_stores_path()
    {
        using var factory = new FashionApiFactory(seedModel: true);
        File.Delete(Path.Combine(factory.ModelDirectory, "versions", factory.SeedVersion!, "weights.bin"));
        var problem = await (await factory.CreateClient().PostAsync($"/models/{factory.SeedVersion}/activate", JsonBody(new { })))
            .AssertProblemAsync(HttpStatusCode.Conflict, "weights.bin");
        Assert.DoesNotContain(factory.ModelDirectory, problem.GetProperty("detail").GetString());
        Assert.DoesNotMatch(@"(^|[\s'])/\w", problem.GetProperty("detail").GetString()!);
    }

    [Fact]
    public async Task On_a_read_only_file_system_the_instance_is_not_ready_and_activation_says_read_only_at_once()
    {
        using var mount = new TmpfsMount(Models, 1024);
        var seeded = TestData.SaveSeedModel(Models);
        mount.ReadOnly();
        using var factory = new FashionApiFactory(seedModel: false, new() { ["FashionApi:ModelDirectory"] = Models });
        var client = factory.CreateClient();

        var ready = await UntilAsync(client, "/health/ready", HttpStatusCode.ServiceUnavailable, "read-only");
        Assert.DoesNotContain(Models, ready);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/predict", ImageContent(TestData.Png(TestData.FashionMnist.Test.Image(0))))).StatusCode);

        var started = DateTime.UtcNow;
        var problem = await (await client.PostAsync($"/models/{seeded.Version}/activate", JsonBody(new { })))
            .AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "read-only file system");
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(3), "a read-only store is not a lock to wait for");
        Assert.DoesNotContain(Models, problem.GetProperty("detail").GetString());

        mount.ReadOnly(false);
        await UntilAsync(client, "/health/ready", HttpStatusCode.OK, "serving");
    }

    [Fact]
    public async Task On_a_full_disk_a_job_fails_saying_so_activation_answers_503_and_no_message_names_a_path()
    {
        using var mount = new TmpfsMount(Models, 256);
        var seeded = TestData.SaveSeedModel(Models);
        using var factory = new FashionApiFactory(seedModel: false, new() { ["FashionApi:ModelDirectory"] = Models });
        var client = await factory.CreateReadyClientAsync();
        mount.Fill();

        var job = await (await client.PostAsync("/train", JsonBody(new { preset = "seed", epochs = 1 }))).AssertOkJsonAsync(HttpStatusCode.Accepted);
        string id = job.GetProperty("id").GetString()!;
        string error = "";
        for (var deadline = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < deadline && error.Length == 0; await Task.Delay(100))
        {
            var snapshot = await (await client.GetAsync($"/train/{id}")).AssertOkJsonAsync();
            if (snapshot.GetProperty("status").GetString() == "failed") error = snapshot.GetProperty("error").GetString()!;
            else Assert.NotEqual("succeeded", snapshot.GetProperty("status").GetString());
        }
        Assert.Contains("full", error);
        Assert.DoesNotContain(Models, error);
        Assert.DoesNotContain(".tmp", error);

        var problem = await (await client.PostAsync($"/models/{seeded.Version}/activate", JsonBody(new { })))
            .AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "full");
        Assert.DoesNotContain(Models, problem.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/predict", ImageContent(TestData.Png(TestData.FashionMnist.Test.Image(0))))).StatusCode);
    }

    /// <summary>Polls until <paramref name="path"/> answers <paramref name="status"/> with a body containing the text.</summary>
    static async Task<string> UntilAsync(HttpClient client, string path, HttpStatusCode status, string contains)
    {
        string body = "";
        for (var deadline = DateTime.UtcNow.AddSeconds(20); DateTime.UtcNow < deadline; await Task.Delay(100))
        {
            var response = await client.GetAsync(path);
            body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == status && body.Contains(contains)) return body;
        }
        throw new Xunit.Sdk.XunitException($"{path} did not answer {(int)status} with '{contains}' within 20 s; last: {body}");
    }
}
