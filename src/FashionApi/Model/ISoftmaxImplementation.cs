using static TorchSharp.torch;

namespace FashionApi.Model;

/// <summary>One way of fitting softmax regression. The trainer owns the loop; an implementation owns the parameters
/// and how one minibatch updates them.</summary>
public interface ISoftmaxImplementation : IDisposable
{
    /// <summary>Updates the parameters on one minibatch. Returns the batch's summed cross-entropy loss and how many of
    /// its images the parameters before the update classified correctly, as tensors, so the loop never waits on a
    /// value it does not need until the end of the epoch.</summary>
    (Tensor LossSum, Tensor Correct) Step(Tensor pixels, Tensor labels, double learningRate);

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
