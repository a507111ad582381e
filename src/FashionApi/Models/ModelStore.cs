using System.Security.Cryptography;
using System.Text.Json;
using FashionApi.Hosting;
using FashionApi.Softmax;
using Microsoft.Extensions.Options;

namespace FashionApi.Models;

/// <summary>
/// Saved model versions on disk. Layout under <c>FashionApi:ModelDirectory</c>:
/// <c>versions/{version}/weights.bin</c> and <c>manifest.json</c> for each version, and <c>active.json</c> naming the
/// active one. A version directory is written under a temporary name and renamed into place when complete, so a
/// crash leaves either a whole version or none. Loading verifies the weights' SHA-256; a damaged version is skipped.
/// Several processes may share the store (a trainer and serving replicas): every write happens under the
/// <see cref="StoreLock"/>, readers need no lock because what they read is only ever replaced by a rename.
/// Instances with Role <c>serve</c> never write.
/// </summary>
public sealed class ModelStore
{
    const string WeightsName = "weights.bin", ManifestName = "manifest.json", ActiveName = "active.json";
    const int MaxRecordedActivations = 20;
    /// <summary>Larger than any file the store writes (weights are 31 KiB, manifests a few); a bigger one is not read.</summary>
    const int MaxFileBytes = 1024 * 1024;
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    readonly IOptions<FashionApiOptions> options;
    readonly ILogger<ModelStore> logger;
    readonly StoreLock writeLock;

    public ModelStore(IOptions<FashionApiOptions> options, IHostEnvironment environment, ILogger<ModelStore> logger)
    {
        this.options = options;
        this.logger = logger;
        Root = Path.GetFullPath(options.Value.ModelDirectory, environment.ContentRootPath);
        writeLock = new StoreLock(Root, options.Value.StoreLockTimeout, logger);
    }

    public string Root { get; }
    string VersionsDirectory => Path.Combine(Root, "versions");
    string ActivePath => Path.Combine(Root, ActiveName);

    /// <summary>False on instances with Role <c>serve</c>: they only read the store.</summary>
    public bool Writable => options.Value.Role.Trains();

    /// <summary>Why this instance cannot write to the store right now (permissions, a read-only or full file system),
    /// as last found by <see cref="CheckWritable"/> or a failed write; null when it can.</summary>
    public string? WriteProblem => Volatile.Read(ref writeProblem);
    string? writeProblem;

    /// <summary>Takes the store's write lock for an operation made of several steps (such as load, then record as
    /// active); each write method takes it too, so this is only needed to keep other writers out in between.</summary>
    /// <exception cref="StoreBusyException">Another process kept the lock for the whole <c>StoreLockTimeout</c>.</exception>
    public StoreLock.Releaser LockForWriting(string operation)
    {
        RefuseUnlessWritable(operation);
        return Translated(() => writeLock.Acquire(operation), operation);
    }

    /// <summary>The same without holding a thread while another writer has the lock: for request handlers.</summary>
    /// <exception cref="StoreUnavailableException">Another process kept the lock for the whole <c>StoreLockTimeout</c>,
    /// or the store cannot be written at all (its message says why).</exception>
    public ValueTask<StoreLock.Releaser> LockForWritingAsync(string operation, CancellationToken cancellationToken = default)
    {
        // Not async: the lock's hold must be recorded in the caller's flow (see StoreLock.AcquireAsync).
        RefuseUnlessWritable(operation);
        return writeLock.AcquireAsync(operation, cancellationToken);
    }

    void RefuseUnlessWritable(string operation)
    {
        if (!Writable)
            throw new InvalidOperationException($"Could not {operation}: this instance has Role serve and never writes to the model store.");
    }

    /// <summary>Tries what every write needs (the store's directory, its lock file, creating a file) and records the
    /// outcome in <see cref="WriteProblem"/>. Returns the problem, null when the store is writable.</summary>
    public string? CheckWritable()
    {
        try
        {
            using (LockForWriting("check that the model store is writable"))
            {
                string probe = Path.Combine(Root, $".probe-{Guid.NewGuid():N}");
                AtomicFile.Write(probe, []);
                File.Delete(probe);
            }
            Volatile.Write(ref writeProblem, null);
        }
        catch (StoreBusyException)
        {
            // Another process is writing to it: it is writable.
        }
        catch (StoreUnavailableException e)
        {
            Volatile.Write(ref writeProblem, e.Message);
        }
        return WriteProblem;
    }

    /// <summary>Runs one write, turning a failure of the medium into a <see cref="StoreUnavailableException"/> that
    /// says what is wrong (and remembering it for readiness); a successful write clears the remembered problem.</summary>
    T Translated<T>(Func<T> write, string operation)
    {
        try
        {
            return write();
        }
        catch (Exception e) when (StoreProblems.IsEnvironmental(e))
        {
            throw Failed(e, operation);
        }
    }

    StoreUnavailableException Failed(Exception e, string operation)
    {
        var failure = (StoreUnavailableException)StoreProblems.Translate(e, operation);
        if (failure is not StoreBusyException) Volatile.Write(ref writeProblem, failure.Message);
        return failure;
    }

    /// <summary>Writes a trained model as a new version (not yet active) and returns its manifest; the job's preset and
    /// activation policy are kept in it.</summary>
    public ModelManifest Save(TrainingResult result, string datasetSha256, string? jobId, string? preset = null, ActivationPolicy? activation = null)
    {
        byte[] weights = WeightsFile.Serialize(result.Weights.Validate());
        var createdAt = DateTimeOffset.UtcNow;
        string version = $"{createdAt:yyyyMMdd-HHmmss-fff}-{CamelCaseEnumConverter.Name(result.Hyperparameters.Implementation)}-{Guid.NewGuid().ToString("N")[..6]}";
        var manifest = new ModelManifest(version, result.Hyperparameters.Implementation, result.Hyperparameters, result.History,
            result.Evaluation, createdAt, result.Seconds, datasetSha256, Convert.ToHexStringLower(SHA256.HashData(weights)), jobId, preset, activation);

        string operation = $"save model {version}";
        using var writing = LockForWriting(operation);
        RemoveLeftovers();
        string staging = Path.Combine(VersionsDirectory, $".staging-{version}");
        try
        {
            Translated(() =>
            {
                StoreDirectories.Create(VersionsDirectory);
                StoreDirectories.Create(staging);
                AtomicFile.Write(Path.Combine(staging, WeightsName), weights);
                AtomicFile.Write(Path.Combine(staging, ManifestName), JsonSerializer.SerializeToUtf8Bytes(manifest, Json));
                AtomicFile.MoveDirectory(staging, Path.Combine(VersionsDirectory, version));
                return true;
            }, operation);
        }
        catch
        {
            DeleteQuietly(staging);
            throw;
        }
        Volatile.Write(ref writeProblem, null);
        logger.LogInformation("Model {Version} saved to {Directory}", version, Path.Combine(VersionsDirectory, version));
        return manifest;
    }

    /// <summary>Loads and verifies one version. Throws <see cref="InvalidDataException"/> when it is damaged,
    /// <see cref="FileNotFoundException"/> when it does not exist.</summary>
    public (ModelManifest Manifest, ModelWeights Weights) Load(string version)
    {
        string directory = ExistingVersionDirectory(version);
        return Readable(() =>
        {
            var manifest = ReadManifest(directory);
            byte[] weights = ReadRegularFile(Path.Combine(directory, WeightsName));
            // Neither checksum goes in the message: it reaches clients, and says nothing they can act on.
            if (Convert.ToHexStringLower(SHA256.HashData(weights)) != manifest.WeightsSha256)
                throw new InvalidDataException($"the weights of {version} fail their checksum.");
            return (manifest, WeightsFile.Deserialize(weights));
        }, $"read model {version}");
    }

    /// <summary>One version's manifest, without loading its weights.</summary>
    /// <exception cref="FileNotFoundException">No such version.</exception>
    public ModelManifest Manifest(string version)
    {
        string directory = ExistingVersionDirectory(version);
        return Readable(() => ReadManifest(directory), $"read model {version}");
    }

    string ExistingVersionDirectory(string version)
    {
        string directory = VersionDirectory(version);
        if (!Directory.Exists(directory))
            throw new FileNotFoundException($"Model version '{version}' does not exist.");
        if (new DirectoryInfo(directory).LinkTarget is not null || new DirectoryInfo(VersionsDirectory).LinkTarget is not null)
            throw new InvalidDataException($"{version} is a symbolic link; the store holds only real directories and files.");
        return directory;
    }

    /// <summary>A read that fails for want of permission says so (503), rather than calling the version damaged.</summary>
    static T Readable<T>(Func<T> read, string operation)
    {
        try
        {
            return read();
        }
        catch (UnauthorizedAccessException e)
        {
            throw StoreProblems.Translate(e, operation);
        }
    }

    /// <summary>Reads a file of the store, refusing a symbolic link (which could make the service read, and describe,
    /// any file it can open) and anything larger than the store ever writes.</summary>
    static byte[] ReadRegularFile(string path)
    {
        var file = new FileInfo(path);
        if (file.LinkTarget is not null)
            throw new InvalidDataException($"{file.Name} is a symbolic link; the store holds only regular files.");
        if (!file.Exists)
            throw new InvalidDataException($"{file.Name} is missing.");
        if (file.Length > MaxFileBytes)
            throw new InvalidDataException($"{file.Name} is {file.Length:N0} bytes, larger than any file the store writes.");
        return File.ReadAllBytes(path);
    }

    /// <summary>Whether a version of that name is saved (one directory check; its files are not read).</summary>
    public bool Exists(string version)
    {
        try
        {
            return Directory.Exists(VersionDirectory(version));
        }
        catch (FileNotFoundException)
        {
            return false; // a name that cannot be a version
        }
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
            catch (Exception e) when (StoreProblems.IsUnreadable(e))
            {
                logger.LogWarning("Skipping model directory {Directory}: {Problem}", directory, e.Message);
            }
        }
        return manifests.OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Version, StringComparer.Ordinal).ToList();
    }

    /// <summary>The version recorded as active, if any.</summary>
    public string? ActiveVersion() => ReadActiveRecord()?.Version;

    ActiveRecord? ReadActiveRecord()
    {
        try
        {
            var record = File.Exists(ActivePath) ? JsonSerializer.Deserialize<ActiveRecord>(ReadRegularFile(ActivePath), Json) : null;
            return string.IsNullOrEmpty(record?.Version) ? null : record;
        }
        catch (Exception e) when (StoreProblems.IsUnreadable(e))
        {
            logger.LogWarning("Ignoring unreadable {Path}: {Problem}", ActivePath, e.Message);
            return null;
        }
    }

    /// <summary>The active model, or if it is missing or damaged, the newest version that loads; null when none does.
    /// A writable store records the version it falls back to as active.</summary>
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
            catch (Exception e) when (StoreProblems.IsUnreadable(e))
            {
                logger.LogError("Model {Version} is damaged and was skipped: {Problem}", version, e.Message);
                continue;
            }
            if (version != active)
            {
                logger.LogWarning("Active model {Active} unavailable; serving newest valid version {Version} instead", active ?? "(none recorded)", version);
                if (Writable) TryMarkActive(version);
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
            logger.LogWarning("Could not record {Version} as active in {Path}: {Problem}", version, ActivePath, e.InnerException?.Message ?? e.Message);
        }
    }

    /// <summary>Records <paramref name="version"/> as the active one (atomically), remembering until when the one
    /// it replaces was active so that pruning spares it while replicas may still be loading it.</summary>
    public void MarkActive(string version)
    {
        string operation = $"activate model {version}";
        using var writing = LockForWriting(operation);
        var now = DateTimeOffset.UtcNow;
        var previous = ReadActiveRecord();
        var earlier = previous?.Previous ?? [];
        if (previous is not null && previous.Version != version)
            earlier = [new PastActivation(previous.Version, now), .. earlier];
        var record = new ActiveRecord(version, now, earlier.Where(p => p.Version != version).Take(MaxRecordedActivations).ToList());
        Translated(() =>
        {
            StoreDirectories.Create(Root);
            AtomicFile.Write(ActivePath, JsonSerializer.SerializeToUtf8Bytes(record, Json));
            return true;
        }, operation);
        Volatile.Write(ref writeProblem, null);
    }

    /// <summary>Deletes the oldest versions beyond the configured number to keep. Never deletes the active version,
    /// nor one saved or active within <c>PruneGracePeriod</c> (a replica may be loading it). Problems are logged,
    /// never thrown: pruning is housekeeping after a model is already serving.</summary>
    public void Prune()
    {
        StoreLock.Releaser writing;
        try
        {
            writing = LockForWriting("prune old model versions");
        }
        catch (StoreUnavailableException e)
        {
            logger.LogWarning("Old model versions not pruned this time: {Problem}", e.Message);
            return;
        }
        using var _ = writing;
        var record = ReadActiveRecord();
        var since = DateTimeOffset.UtcNow - options.Value.PruneGracePeriod;
        var spared = (record?.Previous ?? []).Where(p => p.ActiveUntil >= since).Select(p => p.Version).ToHashSet();
        if (record is not null) spared.Add(record.Version);
        foreach (var old in List().Skip(options.Value.KeepVersions).Where(m => !spared.Contains(m.Version) && m.CreatedAt < since))
        {
            // Rename first so a half-deleted directory is never mistaken for a version.
            string doomed = Path.Combine(VersionsDirectory, $".deleting-{old.Version}");
            try
            {
                AtomicFile.MoveDirectory(VersionDirectory(old.Version), doomed);
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

    /// <summary>Removes what an interrupted save or prune left behind: <c>.staging-*</c> and <c>.deleting-*</c>
    /// folders untouched for <c>StaleLeftoverAge</c>. Younger ones are spared, since the lock cannot be relied on
    /// everywhere (some network file systems ignore it) and another writer may still be filling them.</summary>
    public void RemoveLeftovers()
    {
        using var writing = LockForWriting("remove leftovers of interrupted saves");
        if (!Directory.Exists(VersionsDirectory)) return;
        var staleBefore = DateTime.UtcNow - options.Value.StaleLeftoverAge;
        foreach (string directory in Directory.GetDirectories(VersionsDirectory, ".*"))
        {
            if (LastWrite(directory) > staleBefore)
            {
                logger.LogDebug("Leaving {Directory} alone: written to within {Age}", directory, options.Value.StaleLeftoverAge);
                continue;
            }
            logger.LogWarning("Removing {Directory}, left by an interrupted save or delete", directory);
            DeleteQuietly(directory);
        }
    }

    /// <summary>When a folder or anything directly in it was last written.</summary>
    static DateTime LastWrite(string directory)
    {
        try
        {
            return Directory.GetFiles(directory).Select(File.GetLastWriteTimeUtc).Append(Directory.GetLastWriteTimeUtc(directory)).Max();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return DateTime.UtcNow; // vanished or unreadable while looking: not ours to remove now
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
        var manifest = JsonSerializer.Deserialize<ModelManifest>(ReadRegularFile(Path.Combine(directory, ManifestName)), Json)
                       ?? throw new InvalidDataException("empty manifest");
        if (manifest.Version != Path.GetFileName(directory))
            throw new InvalidDataException($"manifest names version '{manifest.Version}' but lives in '{Path.GetFileName(directory)}'");
        return manifest;
    }

    /// <summary>The content of <c>active.json</c>. Only <see cref="Version"/> is required (older stores have only it).</summary>
    sealed record ActiveRecord(string Version, DateTimeOffset? ActivatedAt = null, IReadOnlyList<PastActivation>? Previous = null);

    /// <summary>A version that was active until <see cref="ActiveUntil"/>.</summary>
    sealed record PastActivation(string Version, DateTimeOffset ActiveUntil);
}
