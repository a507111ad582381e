using static TorchSharp.torch;

namespace FashionApi.Model;

/// <summary>One way of fitting softmax regression. The trainer owns the loop; an implementation owns the parameters
/// and how one minibatch updates them.</summary>
public interface ISoftmaxImplementation : IDisposable
{
    /// <summary>Updates the parameters on one minibatch. Returns the batch's logits (before the update, no grad)
    /// and the summed cross-entropy loss, as tensors so the loop never waits on a value it does not need yet.</summary>
    (Tensor Logits, Tensor LossSum) Step(Tensor pixels, Tensor labels, double learningRate);

    /// <summary>Class scores for evaluation, without recording gradients.</summary>
    Tensor Logits(Tensor pixels);

    ModelWeights Export();

    static ISoftmaxImplementation Create(Hyperparameters hyperparameters, Generator generator) =>
        hyperparameters.Implementation switch
        {
            "scratch" => new ScratchSoftmaxRegression(hyperparameters, generator),
            "builtin" => new BuiltinSoftmaxRegression(hyperparameters, generator),
            _ => throw new ArgumentException($"Unknown implementation '{hyperparameters.Implementation}'."),
        };
}
