using FashionApi.Hosting;
using FashionApi.Softmax;
using Microsoft.Extensions.Options;

namespace FashionApi.Models;

/// <summary>
/// The one owner of which model serves. Every switch passes here: a trained model promoted by its job's policy, a
/// saved version activated on request, the first model an instance loads, and a version another process activated.
/// A switch made here holds the store's write lock once, from the decision to the record in <c>active.json</c> (and,
/// after a training, the pruning), so no other writer, in this process or another, can activate or delete a version in
/// between, and the file on disk always names the model in memory.
/// </summary>
public sealed class ModelActivation(
    ModelStore store, ActiveModel active, FashionApiMetrics metrics, IOptions<FashionApiOptions> options, ILogger<ModelActivation> logger)
{
    readonly Lock switching = new(); // orders this process's switches; always taken after the store's lock
    readonly TaskCompletionSource firstLoad = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once <see cref="LoadFirst"/> has run once, whatever it found: a trainer waits for it before
    /// deciding whether to train a first model.</summary>
    public Task FirstLoadAttempted => firstLoad.Task;

    /// <summary>The first model of an instance, in every role: the version <c>active.json</c> names, or the newest one
    /// that loads if it is missing or damaged (a writable store records that one). Role <c>serve</c> waits for a
    /// trainer to have activated something: a version merely saved is not for serving. Returns the model serving
    /// afterwards, null when there is none yet.</summary>
    public ModelManifest? LoadFirst()
    {
        try
        {
            if (active.Current is { } serving) return serving.Manifest;
            if (!options.Value.Role.Trains() && store.ActiveVersion() is null) return null;
            if (store.LoadActiveOrNewest() is not var (manifest, weights)) return null;
            var loaded = new ServingModel(manifest, new SoftmaxClassifier(weights));
            lock (switching)
            {
                // Something may have been activated while this was loading; that is newer, so it stays.
                if (active.Current is null)
                {
                    active.Serve(loaded);
                    metrics.Reloaded();
                    logger.LogInformation("Model {Version} loaded from {Directory} (test accuracy {Accuracy:P2}); ready to serve",
                        manifest.Version, store.Root, manifest.Evaluation.TestAccuracy);
                }
                return active.Current!.Manifest;
            }
        }
        finally
        {
            firstLoad.TrySetResult();
        }
    }

    /// <summary>After a training: decides by <paramref name="policy"/> against the model active in the store, switches
    /// to the new model and records it when the policy says so, and prunes old versions, all in one hold of the
    /// store's lock.</summary>
    /// <exception cref="StoreUnavailableException">Another writer kept the store locked, or it cannot be written.</exception>
    public ActivationDecision Promote(ModelManifest manifest, ModelWeights weights, ActivationPolicy policy)
    {
        using var writing = store.LockForWriting($"decide whether to activate model {manifest.Version}");
        var decision = ActivationDecision.For(policy, manifest.Evaluation.TestAccuracy, ActiveInStore());
        if (decision.Activate) Switch(manifest, weights);
        try
        {
            store.Prune(); // within this hold: re-entered, never waiting
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("Old model versions not pruned this time: {Problem}", e.Message); // the next save tries again
        }
        return decision;
    }

    /// <summary>Loads a saved version, verifies it and activates it (rolling back or forward, on request).</summary>
    /// <exception cref="FileNotFoundException">No such version.</exception>
    /// <exception cref="InvalidDataException">The version is damaged.</exception>
    /// <exception cref="StoreUnavailableException">Another writer kept the store locked, or it cannot be written; nothing changed.</exception>
    public async Task<ModelManifest> ActivateSavedAsync(string version, CancellationToken cancellationToken)
    {
        // Waits for the lock without a thread; what follows runs within the hold.
        using var writing = await store.LockForWritingAsync($"activate model {version}", cancellationToken);
        var (manifest, weights) = store.Load(version);
        Switch(manifest, weights);
        logger.LogInformation("Model {Version} activated on request", version);
        return manifest;
    }

    /// <summary>Switches to the version <c>active.json</c> names when it differs from the one serving (another
    /// process activated it). A version that is missing, half-visible or fails its checksum is not served: the current
    /// model stays and the outcome says why, so the next poll tries again. Reads only: any role may follow.</summary>
    public StoreFollowResult Follow()
    {
        string? wanted = store.ActiveVersion();
        string? serving = active.Current?.Manifest.Version;
        if (wanted is null || wanted == serving) return new(StoreFollowOutcome.Unchanged, wanted, serving, null);

        ModelManifest manifest;
        ModelWeights weights;
        try
        {
            (manifest, weights) = store.Load(wanted);
        }
        catch (Exception e) when (StoreProblems.IsUnreadable(e))
        {
            return new(StoreFollowOutcome.Failed, wanted, serving, e.Message);
        }

        var next = new ServingModel(manifest, new SoftmaxClassifier(weights));
        lock (switching)
        {
            // An activation in this process may have happened while loading; active.json tells which one is newer.
            if (store.ActiveVersion() != wanted) return new(StoreFollowOutcome.Unchanged, wanted, active.Current?.Manifest.Version, null);
            active.Serve(next);
        }
        return new(StoreFollowOutcome.Switched, wanted, serving, null);
    }

    /// <summary>Records the version as active and serves it; the caller holds the store's lock.</summary>
    void Switch(ModelManifest manifest, ModelWeights weights)
    {
        var next = new ServingModel(manifest, new SoftmaxClassifier(weights));
        lock (switching)
        {
            store.MarkActive(manifest.Version);
            active.Serve(next);
        }
    }

    /// <summary>The version <c>active.json</c> names and its test accuracy; null when there is none or it cannot be read
    /// (a model that cannot be served is no model to beat).</summary>
    (string Version, double Accuracy)? ActiveInStore()
    {
        if (store.ActiveVersion() is not { } version) return null;
        try
        {
            return (version, store.Manifest(version).Evaluation.TestAccuracy);
        }
        catch (Exception e) when (StoreProblems.IsUnreadable(e))
        {
            return null;
        }
    }
}

public enum StoreFollowOutcome { Unchanged, Switched, Failed }

/// <param name="Outcome">Whether the instance switched.</param>
/// <param name="Wanted">The version <c>active.json</c> names (null when none).</param>
/// <param name="Previous">The version that was serving before.</param>
/// <param name="Problem">Why <paramref name="Wanted"/> could not be served, when the outcome is Failed.</param>
public sealed record StoreFollowResult(StoreFollowOutcome Outcome, string? Wanted, string? Previous, string? Problem);
