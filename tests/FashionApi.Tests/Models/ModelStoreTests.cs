using System.Diagnostics.Metrics;
using FashionApi.Dataset;
using FashionApi.Hosting;
using FashionApi.Models;
using FashionApi.Softmax;
using FashionApi.Tests.Infrastructure;
using FashionApi.Training;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace FashionApi.Tests.Models;

public class ModelStoreTests : IDisposable
{
    readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    // Pruning's grace period is off unless a test is about it: these tests save versions a moment apart.
    ModelStore Store(int keep = 5, ILogger<ModelStore>? logger = null) =>
        TestStores.Create(directory.Path, keep, logger, pruneGracePeriod: TimeSpan.Zero);

    ModelManifest SaveSeed(ModelStore store, bool activate = true)
    {
        var manifest = store.Save(TestData.SeedModel, TestData.FashionMnist.ContentSha256, jobId: "job");
        if (activate) store.MarkActive(manifest.Version);
        return manifest;
    }

    string WeightsPath(ModelManifest manifest) => Path.Combine(directory.Path, "versions", manifest.Version, "weights.bin");

    [Fact]
    public void Save_then_load_gives_identical_predictions()
    {
        var store = Store();
        var manifest = SaveSeed(store);
        var (loadedManifest, weights) = store.Load(manifest.Version);

        Assert.Equal(manifest.WeightsSha256, loadedManifest.WeightsSha256);
        Assert.Equal(TestData.SeedModel.Weights.Weight, weights.Weight);
        Assert.Equal(TestData.SeedModel.Weights.Bias, weights.Bias);
        Assert.Equal(TestData.SeedModel.History.Count, loadedManifest.History.Count);
        Assert.Equal(TestData.SeedModel.Evaluation.TestAccuracy, loadedManifest.Evaluation.TestAccuracy);

        var images = TestData.FashionMnist.Test.Pixels.AsSpan(0, 100 * 784);
        float[] pixels = SoftmaxClassifier.ScalePixels(images);
        Assert.Equal(new SoftmaxClassifier(TestData.SeedModel.Weights).Probabilities(pixels), new SoftmaxClassifier(weights).Probabilities(pixels));
    }

    [Fact]
    public void A_truncated_weights_file_is_rejected_and_the_previous_version_serves()
    {
        var store = Store();
        var older = SaveSeed(store);
        var newer = SaveSeed(store);
        byte[] bytes = File.ReadAllBytes(WeightsPath(newer));
        File.WriteAllBytes(WeightsPath(newer), bytes[..(bytes.Length / 2)]);

        Assert.Throws<InvalidDataException>(() => store.Load(newer.Version));
        var loaded = store.LoadActiveOrNewest();
        Assert.Equal(older.Version, loaded?.Manifest.Version);
        Assert.Equal(older.Version, store.ActiveVersion());
    }

    [Fact]
    public void A_bit_flipped_weights_file_fails_its_checksum()
    {
        var store = Store();
        var older = SaveSeed(store);
        var newer = SaveSeed(store);
        byte[] bytes = File.ReadAllBytes(WeightsPath(newer));
        bytes[1000] ^= 0x04;
        File.WriteAllBytes(WeightsPath(newer), bytes);

        var e = Assert.Throws<InvalidDataException>(() => store.Load(newer.Version));
        Assert.Contains("checksum", e.Message);
        Assert.Equal(older.Version, store.LoadActiveOrNewest()?.Manifest.Version);
    }

    [Fact]
    public void A_damaged_manifest_or_unreadable_active_record_never_stops_loading()
    {
        var store = Store();
        var good = SaveSeed(store);
        var damaged = SaveSeed(store);
        File.WriteAllText(Path.Combine(directory.Path, "versions", damaged.Version, "manifest.json"), "{ not json");
        File.WriteAllText(Path.Combine(directory.Path, "active.json"), "\0\0garbage");

        Assert.Equal(good.Version, store.LoadActiveOrNewest()?.Manifest.Version);
        Assert.Equal([good.Version], store.List().Select(m => m.Version));
    }

    [Fact]
    public void Nothing_saved_means_nothing_loaded()
    {
        Assert.Null(Store().LoadActiveOrNewest());
        Assert.Empty(Store().List());
    }

    [Fact]
    public void A_half_written_version_left_by_a_crash_is_ignored_then_removed()
    {
        var store = Store();
        var good = SaveSeed(store);
        string staging = Path.Combine(directory.Path, "versions", ".staging-crashed");
        Directory.CreateDirectory(staging);
        File.WriteAllBytes(Path.Combine(staging, "weights.bin"), [1, 2, 3]);

        Assert.Equal([good.Version], store.List().Select(m => m.Version));
        Assert.Equal(good.Version, store.LoadActiveOrNewest()?.Manifest.Version);
        store.RemoveLeftovers();
        Assert.True(Directory.Exists(staging)); // as young as this, another process may still be writing it

        MakeOlder(staging, new FashionApiOptions().StaleLeftoverAge + TimeSpan.FromMinutes(1));
        store.RemoveLeftovers();
        Assert.False(Directory.Exists(staging));
        Assert.Equal(good.Version, store.LoadActiveOrNewest()?.Manifest.Version);
    }

    [Fact]
    public void Invalid_weights_are_never_saved_and_the_active_version_stays()
    {
        var store = Store();
        var good = SaveSeed(store);
        var broken = TestData.SeedModel with { Weights = TestData.SeedModel.Weights with { Bias = new float[3] } };

        Assert.Throws<InvalidDataException>(() => store.Save(broken, "sha", jobId: null));
        Assert.Equal([good.Version], store.List().Select(m => m.Version));
        Assert.Empty(Directory.GetDirectories(Path.Combine(directory.Path, "versions"), ".*"));
        Assert.Equal(good.Version, store.ActiveVersion());
    }

    [Fact]
    public void Pruning_problems_are_logged_not_thrown()
    {
        var logger = new FakeLogger<ModelStore>();
        var store = Store(keep: 1, logger);
        var old = SaveSeed(store, activate: false);
        var active = SaveSeed(store);
        File.WriteAllText(Path.Combine(directory.Path, "versions", $".deleting-{old.Version}"), "in the way");

        store.Prune();
        Assert.Equal(new[] { active.Version, old.Version }.Order(), store.List().Select(m => m.Version).Order());
        var warning = Assert.Single(logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning);
        Assert.Contains($"Could not delete old model version {old.Version}", warning.Message);
    }

    [Fact]
    public void An_active_record_that_cannot_be_read_or_replaced_does_not_stop_loading()
    {
        var store = Store();
        var good = SaveSeed(store, activate: false);
        Directory.CreateDirectory(Path.Combine(directory.Path, "active.json")); // neither readable nor replaceable as a file

        Assert.Null(store.ActiveVersion());
        Assert.Equal(good.Version, store.LoadActiveOrNewest()?.Manifest.Version);
    }

    [Fact]
    public void Pruning_keeps_the_newest_versions_and_always_the_active_one()
    {
        var store = Store(keep: 2);
        var oldestActive = SaveSeed(store);
        var middle = SaveSeed(store, activate: false);
        var second = SaveSeed(store, activate: false);
        var newest = SaveSeed(store, activate: false);
        store.Prune();

        var remaining = store.List().Select(m => m.Version).ToHashSet();
        Assert.Equal(new HashSet<string> { oldestActive.Version, second.Version, newest.Version }, remaining);
        Assert.DoesNotContain(middle.Version, remaining);
    }

    [Fact]
    public void Weights_file_format_rejects_foreign_files()
    {
        Assert.Throws<InvalidDataException>(() => WeightsFile.Deserialize("PK\x03\x04 not ours"u8));
        var bytes = WeightsFile.Serialize(TestData.SeedModel.Weights);
        Assert.Equal(TestData.SeedModel.Weights.Weight, WeightsFile.Deserialize(bytes).Weight);
        Assert.Throws<InvalidDataException>(() => WeightsFile.Deserialize(bytes.AsSpan(0, bytes.Length - 4)));
    }

    [Fact]
    public void Version_names_cannot_escape_the_versions_directory()
    {
        var store = Store();
        var saved = SaveSeed(store);
        // A complete, valid version directory outside versions/, which a path like "../outside" would reach.
        CopyDirectory(Path.Combine(directory.Path, "versions", saved.Version), Path.Combine(directory.Path, "outside"));
        File.WriteAllText(Path.Combine(directory.Path, "outside", "manifest.json"),
            File.ReadAllText(Path.Combine(directory.Path, "outside", "manifest.json")).Replace(saved.Version, "outside"));

        Assert.Throws<FileNotFoundException>(() => store.Load("../outside"));
        Assert.Throws<FileNotFoundException>(() => store.Load(".."));
        Assert.Throws<FileNotFoundException>(() => store.Load(".staging-x"));
        Assert.Equal(saved.Version, store.Load(saved.Version).Manifest.Version);
    }

    [Fact]
    public void Pruning_spares_versions_saved_or_active_within_the_grace_period()
    {
        var store = TestStores.Create(directory.Path, keepVersions: 1, pruneGracePeriod: TimeSpan.FromMinutes(1));
        var first = SaveSeed(store);
        var second = SaveSeed(store);
        var third = SaveSeed(store);
        store.Prune();
        Assert.Equal(3, store.List().Count); // all saved just now: a replica may be loading any of them

        var later = TestStores.Create(directory.Path, keepVersions: 1, pruneGracePeriod: TimeSpan.Zero);
        later.Prune();
        Assert.Equal([third.Version], later.List().Select(m => m.Version));
        Assert.False(Directory.Exists(Path.Combine(directory.Path, "versions", first.Version)));
        Assert.False(Directory.Exists(Path.Combine(directory.Path, "versions", second.Version)));
    }

    [Fact]
    public void Pruning_spares_the_version_that_was_active_until_a_moment_ago()
    {
        var store = TestStores.Create(directory.Path, keepVersions: 1, pruneGracePeriod: TimeSpan.FromMinutes(1));
        var old = SaveSeed(store);
        var replaced = SaveSeed(store);
        var active = SaveSeed(store);
        foreach (string version in new[] { old.Version, replaced.Version, active.Version })
            BackdateManifest(version, TimeSpan.FromHours(1));
        store.MarkActive(old.Version);
        store.MarkActive(replaced.Version);
        store.MarkActive(active.Version);

        store.Prune();
        // Both earlier ones were active within the last minute: a replica may have read active.json just before.
        Assert.Equal(3, store.List().Count);
    }

    [Fact]
    public void The_store_lock_is_an_OS_lock_that_another_process_cannot_take()
    {
        var store = Store();
        using (store.LockForWriting("test"))
            Assert.Equal(1, RunFlock(Path.Combine(directory.Path, StoreLock.FileName)));
        Assert.Equal(0, RunFlock(Path.Combine(directory.Path, StoreLock.FileName))); // released
    }

    [Fact]
    public void A_writer_that_cannot_get_the_lock_in_time_fails_clearly_and_writes_nothing()
    {
        var good = SaveSeed(Store());
        var blocked = TestStores.Create(directory.Path, lockTimeout: TimeSpan.FromMilliseconds(300));
        // Another open file description holding the lock: to flock, the same as another process holding it.
        using var holder = new FileStream(Path.Combine(directory.Path, StoreLock.FileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);

        var e = Assert.Throws<StoreBusyException>(() => blocked.Save(TestData.SeedModel, "sha", jobId: null));
        Assert.Contains("another process", e.Message);
        Assert.Throws<StoreBusyException>(() => blocked.MarkActive("anything"));
        blocked.Prune(); // housekeeping: logs, never throws

        Assert.Equal([good.Version], blocked.List().Select(m => m.Version));
        Assert.Equal(good.Version, blocked.ActiveVersion());
        Assert.Empty(Directory.GetDirectories(Path.Combine(directory.Path, "versions"), ".*"));
    }

    [Fact]
    public void A_serving_instance_never_writes_to_the_store()
    {
        var writer = Store();
        var older = SaveSeed(writer);
        var newer = SaveSeed(writer);
        File.WriteAllText(Path.Combine(directory.Path, "versions", newer.Version, "weights.bin"), "damaged");
        var reader = TestStores.Create(directory.Path, role: InstanceRole.Serve);
        byte[] activeBefore = File.ReadAllBytes(Path.Combine(directory.Path, "active.json"));

        Assert.Equal(older.Version, reader.LoadActiveOrNewest()?.Manifest.Version); // falls back, but records nothing
        Assert.Equal(activeBefore, File.ReadAllBytes(Path.Combine(directory.Path, "active.json")));
        Assert.Throws<InvalidOperationException>(() => reader.MarkActive(older.Version));
        Assert.Throws<InvalidOperationException>(() => reader.Save(TestData.SeedModel, "sha", null));
    }

    [Fact]
    public async Task An_activation_racing_a_prune_never_leaves_active_json_naming_a_deleted_version()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new FashionApiMetrics(services.GetRequiredService<IMeterFactory>(),
            new TrainingJobQueue(Microsoft.Extensions.Options.Options.Create(new FashionApiOptions())));
        for (int round = 0; round < 10; round++)
        {
            using var root = new TempDirectory();
            var store = TestStores.Create(root.Path, keepVersions: 1, pruneGracePeriod: TimeSpan.Zero);
            var old = SaveSeed(store);
            SaveSeed(store); // active, newest: the old one is the prune's to delete
            var activation = new ModelActivation(store, new ActiveModel(metrics), metrics,
                Microsoft.Extensions.Options.Options.Create(new FashionApiOptions()), Microsoft.Extensions.Logging.Abstractions.NullLogger<ModelActivation>.Instance);
            // Another store object on the same directory competes through the lock file, as another process would.
            var pruner = TestStores.Create(root.Path, keepVersions: 1, pruneGracePeriod: TimeSpan.Zero);

            var activating = Task.Run(async () =>
            {
                try { return (await activation.ActivateSavedAsync(old.Version, CancellationToken.None)).Version; }
                catch (FileNotFoundException) { return null; } // the prune won: a clean 404, nothing changed
            });
            await Task.WhenAll(activating, Task.Run(pruner.Prune));

            string recorded = store.ActiveVersion()!;
            Assert.Equal(recorded, store.Load(recorded).Manifest.Version); // whatever won, active.json names a whole version
            if (await activating is { } activated) Assert.Equal(activated, recorded);
        }
    }

    void BackdateManifest(string version, TimeSpan by)
    {
        string path = Path.Combine(directory.Path, "versions", version, "manifest.json");
        var manifest = System.Text.Json.JsonSerializer.Deserialize<ModelManifest>(File.ReadAllBytes(path), HttpAssertions.Json)!;
        File.WriteAllBytes(path, System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(manifest with { CreatedAt = manifest.CreatedAt - by }, HttpAssertions.Json));
    }

    static void MakeOlder(string directory, TimeSpan by)
    {
        var then = DateTime.UtcNow - by;
        foreach (string file in Directory.GetFiles(directory)) File.SetLastWriteTimeUtc(file, then);
        Directory.SetLastWriteTimeUtc(directory, then);
    }

    /// <summary>Asks util-linux's flock(1), another process, to take the lock without waiting: 0 = got it, 1 = held.</summary>
    static int RunFlock(string path)
    {
        using var process = System.Diagnostics.Process.Start("flock", ["--nonblock", "--exclusive", path, "true"])!;
        Assert.True(process.WaitForExit(10_000), "flock did not finish within 10 s");
        return process.ExitCode;
    }

    static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }
}
