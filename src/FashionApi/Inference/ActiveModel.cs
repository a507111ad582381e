using FashionApi.Infrastructure;
using FashionApi.Model;
using FashionApi.Storage;

namespace FashionApi.Inference;

/// <summary>
/// Holds the model that serves predictions. Reading it is one volatile read, so requests never wait; switching is one
/// reference swap: requests already running finish on the model they started with, new ones see the new model.
/// Switches are serialised with the write of <c>active.json</c>, so the file on disk always names the model in memory.
/// </summary>
public sealed class ActiveModel(ModelStore store, FashionApiMetrics metrics)
{
    readonly Lock switching = new();
    ServingModel? current;

    public ServingModel? Current => Volatile.Read(ref current);

    /// <summary>Serves <paramref name="weights"/> from now on and records the version as active on disk.</summary>
    public void Activate(ModelManifest manifest, ModelWeights weights)
    {
        var next = new ServingModel(manifest, new SoftmaxClassifier(weights));
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
    public ModelManifest ActivateSaved(string version)
    {
        var (manifest, weights) = store.Load(version);
        Activate(manifest, weights);
        return manifest;
    }

    /// <summary>At start-up: serves the version recorded as active, or the newest one that loads if it is damaged
    /// (the store records that one). Writes nothing when the record is right, so a read-only volume is fine.
    /// Returns null when there is no usable saved model.</summary>
    public ModelManifest? LoadSaved()
    {
        lock (switching)
        {
            if (store.LoadActiveOrNewest() is not var (manifest, weights)) return null;
            Volatile.Write(ref current, new ServingModel(manifest, new SoftmaxClassifier(weights)));
            metrics.Serving(manifest);
            metrics.Reloaded();
            return manifest;
        }
    }

    /// <summary>Deletes versions beyond <c>KeepVersions</c>, under the switching lock so a version being activated
    /// at the same moment is never the one deleted.</summary>
    public void PruneOldVersions()
    {
        lock (switching) store.Prune();
    }
}
