using FashionApi.Models;
using FashionApi.Predictions;
using FashionApi.Softmax;
using FashionApi.Hosting;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace FashionApi.OpenInference;

/// <summary>
/// Finds the model a protocol request names. Without a version it is the active model, read as every prediction reads
/// it (one volatile read). A saved version that is not active is loaded from the store on first use and kept in a
/// small cache of <c>VersionCacheSize</c> entries, so asking for an old version never touches the active model.
/// Versions are immutable once saved; one that has since been pruned answers 404 even while still cached.
/// </summary>
public sealed class ServedVersions : IDisposable
{
    readonly ActiveModel active;
    readonly ModelStore store;
    readonly MemoryCache loaded;
    readonly ILogger<ServedVersions> logger;

    public ServedVersions(ActiveModel active, ModelStore store, IOptions<OpenInferenceOptions> options, ILogger<ServedVersions> logger)
    {
        this.active = active;
        this.store = store;
        this.logger = logger;
        ModelName = options.Value.ModelName;
        // Each entry counts 1; when full, a new version is still served but only cached after the least recently
        // used one has been compacted away (a quarter of the entries at a time, at least one).
        loaded = new MemoryCache(new MemoryCacheOptions { SizeLimit = options.Value.VersionCacheSize, CompactionPercentage = 0.25 });
    }

    public string ModelName { get; }

    /// <summary>Saved versions other than the active one currently loaded (never more than <c>VersionCacheSize</c>).</summary>
    public int CachedCount => loaded.Count;

    /// <summary>The model to answer with.</summary>
    /// <exception cref="RequestRejectedException">404 for another model name or an unknown version, 409 for a damaged one,
    /// 503 while no version is given and no model is loaded yet (<see cref="ModelNotReadyException"/>).</exception>
    public ServingModel Resolve(string name, string? version)
    {
        CheckName(name);
        var current = active.Current;
        if (string.IsNullOrEmpty(version))
            return current ?? throw new ModelNotReadyException();
        if (current?.Manifest.Version == version) return current;

        if (!store.Exists(version)) // also drops a pruned version from the cache
        {
            loaded.Remove(version);
            throw UnknownVersion(version);
        }
        if (loaded.TryGetValue(version, out ServingModel? cached)) return cached!;
        var model = Load(version);
        loaded.Set(version, model, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = TimeSpan.FromMinutes(10) });
        return model;
    }

    /// <summary>The versions a client may ask for, newest first.</summary>
    public IReadOnlyList<string> Versions(string name)
    {
        CheckName(name);
        return store.List().Select(m => m.Version).ToList();
    }

    ServingModel Load(string version)
    {
        try
        {
            var model = VersionProblems.Guard(version, v =>
            {
                var (manifest, weights) = store.Load(v);
                return new ServingModel(manifest, new SoftmaxClassifier(weights));
            });
            logger.LogDebug("Loaded model version {Version} for versioned Open Inference Protocol requests", version);
            return model;
        }
        catch (RequestRejectedException e) when (e.Reason == RejectionReason.UnknownVersion)
        {
            throw UnknownVersion(version); // pruned between the check and the load; said in the protocol's terms
        }
    }

    void CheckName(string name)
    {
        if (!string.Equals(name, ModelName, StringComparison.Ordinal))
            throw new RequestRejectedException(RejectionReason.UnknownModel,
                $"There is no model '{Shorten(name)}'; this server serves '{ModelName}' (GET /v2/models/{ModelName}).", StatusCodes.Status404NotFound);
    }

    RequestRejectedException UnknownVersion(string version) => new(RejectionReason.UnknownVersion,
        $"Model '{ModelName}' has no version '{Shorten(version)}'; GET /v2/models/{ModelName} lists them under 'versions'.", StatusCodes.Status404NotFound);

    /// <summary>Names come from the client: echo a bounded part of them.</summary>
    static string Shorten(string value) => value.Length <= 100 ? value : value[..100] + "…";

    public void Dispose() => loaded.Dispose();
}
