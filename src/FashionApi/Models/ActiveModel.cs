using FashionApi.Hosting;

namespace FashionApi.Models;

/// <summary>
/// The model that serves predictions, and nothing else: reading it is one volatile read, so requests never wait;
/// switching is one reference swap, so requests already running finish on the model they started with and new ones see
/// the new model. Only <see cref="ModelActivation"/> switches it.
/// </summary>
public sealed class ActiveModel(FashionApiMetrics metrics)
{
    ServingModel? current;

    public ServingModel? Current => Volatile.Read(ref current);

    /// <summary>Serves <paramref name="next"/> from now on. Called by <see cref="ModelActivation"/>, under its lock.</summary>
    internal void Serve(ServingModel next)
    {
        Volatile.Write(ref current, next);
        metrics.Serving(next.Manifest);
    }
}
