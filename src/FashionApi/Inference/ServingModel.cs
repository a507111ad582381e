using FashionApi.Model;
using FashionApi.Storage;

namespace FashionApi.Inference;

/// <summary>
/// A loaded model version ready to answer requests. Its native tensors are freed when it has been replaced and the
/// last request using it has finished: requests take a lease, and the holder of the active model holds one too.
/// </summary>
public sealed class ServingModel
{
    readonly SoftmaxRegression model;
    int leases = 1; // the active-model holder's

    public ServingModel(ModelManifest manifest, ModelWeights weights)
    {
        Manifest = manifest;
        model = SoftmaxRegression.From(weights);
    }

    public ModelManifest Manifest { get; }

    /// <summary>Takes a lease unless the model has already been released for good.</summary>
    public bool TryAcquire()
    {
        int current;
        do
        {
            current = Volatile.Read(ref leases);
            if (current == 0) return false;
        } while (Interlocked.CompareExchange(ref leases, current + 1, current) != current);
        return true;
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref leases) == 0)
            model.Dispose();
    }

    /// <summary>Probabilities for a batch (caller holds a lease).</summary>
    public float[] Probabilities(float[] pixels, int count) => SoftmaxPredictor.Probabilities(model, pixels, count);
}
