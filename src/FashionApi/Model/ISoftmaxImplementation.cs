using static TorchSharp.torch;

namespace FashionApi.Model;

/// <summary>One way of fitting softmax regression. The trainer owns the loop; an implementation owns the parameters
/// and how one minibatch updates them.</summary>
public interface ISoftmaxImplementation : IDisposable
{
    /// <summary>Updates the parameters on one minibatch of images as stored (bytes 0–255, one row per image; each
    /// implementation applies the tutorial's /255 its own way). Returns the batch's summed cross-entropy loss and how
    /// many of its images the parameters before the update misclassified, as tensors, so the loop never waits on a
    /// value it does not need until the end of the epoch.</summary>
    (Tensor LossSum, Tensor Misclassified) Step(Tensor pixelBytes, Tensor labels, double learningRate);

    ModelWeights Export();

    /// <summary>The implementation a request names. <c>scratch</c> runs its half-products on <paramref name="pair"/>;
    /// <c>builtin</c> runs as libtorch does.</summary>
    static ISoftmaxImplementation Create(Hyperparameters hyperparameters, Generator generator, ParallelPair pair) =>
        hyperparameters.Implementation switch
        {
            Implementation.Scratch => new ScratchSoftmaxRegression(hyperparameters, generator, pair),
            Implementation.Builtin => new BuiltinSoftmaxRegression(hyperparameters, generator),
            _ => throw new ArgumentException($"Unknown implementation '{hyperparameters.Implementation}'."),
        };
}
