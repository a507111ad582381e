using FashionApi.Inference;
using FashionApi.Model;
using FashionApi.Storage;
using FashionApi.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace FashionApi.Tests.Storage;

public class ModelStoreTests : IDisposable
{
    readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    ModelStore Store(int keep = 5, ILogger<ModelStore>? logger = null) => TestStores.Create(directory.Path, keep, logger);

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

    static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }
}
