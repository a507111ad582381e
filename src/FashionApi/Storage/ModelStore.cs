using System.Security.Cryptography;
using System.Text.Json;
using FashionApi.Infrastructure;
using FashionApi.Model;
using Microsoft.Extensions.Options;

namespace FashionApi.Storage;

/// <summary>
/// Saved model versions on disk. Layout under <c>FashionApi:ModelDirectory</c>:
/// <c>versions/{version}/weights.bin</c> and <c>manifest.json</c> for each version, and <c>active.json</c> naming the
/// active one. A version directory is written under a temporary name and renamed into place when complete, so a
/// crash leaves either a whole version or none. Loading verifies the weights' SHA-256; a damaged version is skipped.
/// </summary>
public sealed class ModelStore(IOptions<FashionApiOptions> options, IHostEnvironment environment, ILogger<ModelStore> logger)
{
    const string WeightsName = "weights.bin", ManifestName = "manifest.json", ActiveName = "active.json";
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    readonly Lock writeLock = new();

    public string Root { get; } = Path.GetFullPath(options.Value.ModelDirectory, environment.ContentRootPath);
    string VersionsDirectory => Path.Combine(Root, "versions");
    string ActivePath => Path.Combine(Root, ActiveName);

    /// <summary>Writes a trained model as a new version (not yet active) and returns its manifest.</summary>
    public ModelManifest Save(TrainingResult result, string datasetSha256, string? jobId)
    {
        byte[] weights = WeightsFile.Serialize(result.Weights.Validate());
        var createdAt = DateTimeOffset.UtcNow;
        string version = $"{createdAt:yyyyMMdd-HHmmss-fff}-{CamelCaseEnumConverter.Name(result.Hyperparameters.Implementation)}-{Guid.NewGuid().ToString("N")[..6]}";
        var manifest = new ModelManifest(version, result.Hyperparameters.Implementation, result.Hyperparameters, result.History,
            result.Evaluation, createdAt, result.Seconds, datasetSha256, Convert.ToHexStringLower(SHA256.HashData(weights)), jobId);

        Directory.CreateDirectory(VersionsDirectory);
        string staging = Path.Combine(VersionsDirectory, $".staging-{version}");
        try
        {
            Directory.CreateDirectory(staging);
            AtomicFile.Write(Path.Combine(staging, WeightsName), weights);
            AtomicFile.Write(Path.Combine(staging, ManifestName), JsonSerializer.SerializeToUtf8Bytes(manifest, Json));
            Directory.Move(staging, Path.Combine(VersionsDirectory, version));
        }
        catch
        {
            DeleteQuietly(staging);
            throw;
        }
        logger.LogInformation("Model {Version} saved to {Directory}", version, Path.Combine(VersionsDirectory, version));
        return manifest;
    }

    /// <summary>Loads and verifies one version. Throws <see cref="InvalidDataException"/> when it is damaged,
    /// <see cref="FileNotFoundException"/> when it does not exist.</summary>
    public (ModelManifest Manifest, ModelWeights Weights) Load(string version)
    {
        string directory = VersionDirectory(version);
        if (!Directory.Exists(directory))
            throw new FileNotFoundException($"Model version '{version}' does not exist.", directory);
        var manifest = ReadManifest(directory);
        byte[] weights = File.ReadAllBytes(Path.Combine(directory, WeightsName));
        string actual = Convert.ToHexStringLower(SHA256.HashData(weights));
        if (actual != manifest.WeightsSha256)
            throw new InvalidDataException($"weights of {version} fail their checksum (expected {manifest.WeightsSha256}, found {actual}).");
        return (manifest, WeightsFile.Deserialize(weights));
    }

    /// <summary>The manifests of all saved versions that can be read, newest first.</summary>
    public IReadOnlyList<ModelManifest> List()
    {
        if (!Directory.Exists(VersionsDirectory)) return [];
        var manifests = new List<ModelManifest>();
        foreach (string directory in Directory.GetDirectories(VersionsDirectory).Where(d => !Path.GetFileName(d).StartsWith('.')))
        {
            try
            {
                manifests.Add(ReadManifest(directory));
            }
            catch (Exception e) when (e is IOException or InvalidDataException or JsonException or UnauthorizedAccessException)
            {
                logger.LogWarning("Skipping model directory {Directory}: {Problem}", directory, e.Message);
            }
        }
        return manifests.OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Version, StringComparer.Ordinal).ToList();
    }

    /// <summary>The version recorded as active, if any.</summary>
    public string? ActiveVersion()
    {
        try
        {
            return File.Exists(ActivePath) ? JsonSerializer.Deserialize<ActiveRecord>(File.ReadAllBytes(ActivePath), Json)?.Version : null;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("Ignoring unreadable {Path}: {Problem}", ActivePath, e.Message);
            return null;
        }
    }

    /// <summary>The active model, or if it is missing or damaged, the newest version that loads; null when none does.</summary>
    public (ModelManifest Manifest, ModelWeights Weights)? LoadActiveOrNewest()
    {
        string? active = ActiveVersion();
        var candidates = List().Select(m => m.Version).ToList();
        if (active is not null)
        {
            candidates.Remove(active);
            candidates.Insert(0, active);
        }
        foreach (string version in candidates)
        {
            (ModelManifest Manifest, ModelWeights Weights) loaded;
            try
            {
                loaded = Load(version);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or JsonException or UnauthorizedAccessException)
            {
                logger.LogError("Model {Version} is damaged and was skipped: {Problem}", version, e.Message);
                continue;
            }
            if (version != active)
            {
                logger.LogWarning("Active model {Active} unavailable; serving newest valid version {Version} instead", active ?? "(none recorded)", version);
                TryMarkActive(version);
            }
            return loaded;
        }
        return null;
    }

    void TryMarkActive(string version)
    {
        try
        {
            MarkActive(version);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("Could not record {Version} as active in {Path}: {Problem}", version, ActivePath, e.Message);
        }
    }

    /// <summary>Records <paramref name="version"/> as the active one (atomically).</summary>
    public void MarkActive(string version)
    {
        lock (writeLock)
        {
            Directory.CreateDirectory(Root);
            AtomicFile.Write(ActivePath, JsonSerializer.SerializeToUtf8Bytes(new ActiveRecord(version), Json));
        }
    }

    /// <summary>Deletes the oldest versions beyond the configured number to keep; never the active one. Problems are
    /// logged, never thrown: pruning is housekeeping after a model is already serving.</summary>
    public void Prune()
    {
        string? active = ActiveVersion();
        foreach (var old in List().Skip(options.Value.KeepVersions).Where(m => m.Version != active))
        {
            // Rename first so a half-deleted directory is never mistaken for a version.
            string doomed = Path.Combine(VersionsDirectory, $".deleting-{old.Version}");
            try
            {
                Directory.Move(VersionDirectory(old.Version), doomed);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                logger.LogWarning("Could not delete old model version {Version}: {Problem}", old.Version, e.Message);
                continue;
            }
            DeleteQuietly(doomed);
            logger.LogInformation("Deleted old model version {Version}", old.Version);
        }
    }

    /// <summary>Removes what an interrupted save or prune left behind (run at start-up, before any job).</summary>
    public void RemoveLeftovers()
    {
        if (!Directory.Exists(VersionsDirectory)) return;
        foreach (string directory in Directory.GetDirectories(VersionsDirectory, ".*"))
        {
            logger.LogWarning("Removing {Directory}, left by an interrupted save or delete", directory);
            DeleteQuietly(directory);
        }
    }

    void DeleteQuietly(string directory)
    {
        try
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("Could not delete {Directory}: {Problem}", directory, e.Message);
        }
    }

    string VersionDirectory(string version)
    {
        if (version.Length == 0 || version.StartsWith('.') || version.IndexOfAny(['/', '\\']) >= 0 || version.Contains(".."))
            throw new FileNotFoundException($"Model version '{version}' does not exist.");
        return Path.Combine(VersionsDirectory, version);
    }

    static ModelManifest ReadManifest(string directory)
    {
        var manifest = JsonSerializer.Deserialize<ModelManifest>(File.ReadAllBytes(Path.Combine(directory, ManifestName)), Json)
                       ?? throw new InvalidDataException("empty manifest");
        if (manifest.Version != Path.GetFileName(directory))
            throw new InvalidDataException($"manifest names version '{manifest.Version}' but lives in '{Path.GetFileName(directory)}'");
        return manifest;
    }

    sealed record ActiveRecord(string Version);
}
