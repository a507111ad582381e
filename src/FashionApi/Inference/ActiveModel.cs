namespace FashionApi.Inference;

/// <summary>Holds the model that serves predictions. Switching is one atomic reference swap: requests already running
/// finish on the model they started with, new ones see the new model, and none ever waits for a lock.</summary>
public sealed class ActiveModel
{
    ServingModel? current;

    public ServingModel? Current => Volatile.Read(ref current);

    public void Activate(ServingModel next) => Volatile.Write(ref current, next);
}
