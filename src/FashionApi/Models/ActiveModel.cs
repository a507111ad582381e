using FashionApi.Hosting;
using FashionApi.Softmax;

namespace FashionApi.Models;

/// <summary>
/// Holds the model that serves predictions. Reading it is one volatile read, so requests never wait; switching is one
/// reference swap: requests already running finish on the model they started with, new ones see the new model.
/// Activations here hold the store's write lock from loading the version to recording it in <c>active.json</c>, so
/// no prune (in this process or another) can delete a version while it is being activated, and the file on disk
/// names the model in memory. Activations made by other processes are picked up by <see cref="FollowStore"/>.
/// </summary>
public sealed class ActiveModel(ModelStore store, FashionApiMetrics metrics)
{
    readonly Lock switching = new();
    ServingModel? current;

    public ServingModel? Current => Volatile.Read(ref current);

    /// <summary>Serves <paramref name="weights"/> from now on and records the version as active on disk.</summary>
    /// <exception cref="StoreBusyException">Another process kept the store locked; nothing changed.</exception>
    public void Activate(ModelManifest manifest, ModelWeights weights)
    {
        var next = new ServingModel(manifest, new SoftmaxClassifier(weights));
        using var writing = store.LockForWriting($"activate model {manifest.Version}"); // always before `switching`
        lock (switching)
        {
            store.MarkActive(manifest.Version);
            Volatile.Write(ref current, next);
            metrics.Serving(manifest);
        }
    }

    /// <summary>Loads a saved version, verifies it and activates it.</summary>
    /// <exception cref="FileNotFoundException">No such version.</exception>
    /// <exception cref="InvalidDataException">The version is damaged.</exception>
    /// <exception cref="StoreUnavailableException">Another process kept the store locked, or it cannot be written; nothing changed.</exception>
    public async Task<ModelManifest> ActivateSavedAsync(string version, CancellationToken cancellationToken)
    {
        // Waits for the lock without a thread; what follows runs within the hold (re-entered, never waiting).
        using var writing = await store.LockForWritingAsync($"activate model {version}", cancellationToken);
        var (manifest, weights) = store.Load(version);
        Activate(manifest, weights);
        return manifest;
    }

    /// <summary>At start-up: serves the version recorded as active, or the newest one that loads if it is damaged
    /// (a writable store records that one). Writes nothing when the record is right, so a read-only volume is fine.
    /// Returns the model serving afterwards, null when there is no usable saved model.</summary>
    public ModelManifest? LoadSaved()
    {
        if (store.LoadActiveOrNewest() is not var (manifest, weights)) return Current?.Manifest;
        var loaded = new ServingModel(manifest, new SoftmaxClassifier(weights));
        lock (switching)
        {
            // Something may have been activated while this was loading; that is newer, so it stays.
            if (current is null)
            {
                Volatile.Write(ref current, loaded);
                metrics.Serving(manifest);
                metrics.Reloaded();
            }
            return current!.Manifest;
        }
    }

    /// <summary>Switches to the version <c>active.json</c> names when it differs from the one serving (another
    /// process activated it). A version that is missing, half-visible or fails its checksum is not served: the current
    /// model stays and the outcome says why, so the next poll tries again.</summary>
    public StoreFollowResult FollowStore()
    {
        string? wanted = store.ActiveVersion();
        string? serving = Current?.Manifest.Version;
        if (wanted is null || wanted == serving) return new(StoreFollowOutcome.Unchanged, wanted, serving, null);

        ModelManifest manifest;
        ModelWeights weights;
        try
        {
            (manifest, weights) = store.Load(wanted);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or System.Text.Json.JsonException or UnauthorizedAccessException)
        {
            return new(StoreFollowOutcome.Failed, wanted, serving, e.Message);
        }

        var next = new ServingModel(manifest, new SoftmaxClassifier(weights));
        lock (switching)
        {
            // An activation in this process may have happened while loading; active.json tells which one is newer.
            if (store.ActiveVersion() != wanted) return new(StoreFollowOutcome.Unchanged, wanted, Current?.Manifest.Version, null);
            Volatile.Write(ref current, next);
            metrics.Serving(manifest);
        }
        return new(StoreFollowOutcome.Switched, wanted, serving, null);
    }

    /// <summary>Deletes versions beyond <c>KeepVersions</c>. The store's lock keeps it apart from activations.</summary>
    public void PruneOldVersions() => store.Prune();
}

public enum StoreFollowOutcome { Unchanged, Switched, Failed }

/// <param name="Outcome">Whether the instance switched.</param>
/// <param name="Wanted">The version <c>active.json</c> names (null when none).</param>
/// <param name="Previous">The version that was serving before.</param>
/// <param name="Problem">Why <paramref name="Wanted"/> could not be served, when the outcome is Failed.</param>
public sealed record StoreFollowResult(StoreFollowOutcome Outcome, string? Wanted, string? Previous, string? Problem);
