namespace FashionApi.Inference;

/// <summary>Holds the model that serves predictions. Switching is one atomic reference swap: requests already running
/// finish on the model they started with, new ones see the new model, and none ever waits for a lock.</summary>
public sealed class ActiveModel
{
    ServingModel? current;

    public ServingModel? Current => Volatile.Read(ref current);

    public void Activate(ServingModel next)
    {
        var previous = Interlocked.Exchange(ref current, next);
        previous?.Release();
    }

    /// <summary>A leased reference to the active model (dispose it when done), or null when none is loaded yet.</summary>
    public Lease? Acquire()
    {
        while (true)
        {
            var model = Current;
            if (model is null) return null;
            if (model.TryAcquire()) return new Lease(model);
            // It was swapped out and released between the read and the lease: read again.
        }
    }

    public readonly struct Lease(ServingModel model) : IDisposable
    {
        public ServingModel Model { get; } = model;
        public void Dispose() => Model.Release();
    }
}
