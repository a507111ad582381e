using static TorchSharp.torch;

namespace FashionApi.Softmax;

/// <summary>One way of fitting softmax regression. The trainer owns the loop; an implementation owns the parameters
/// and how one minibatch updates them.</summary>
public interface ISoftmaxImplementation : IDisposable
{
    /// <summary>Updates the parameters on one minibatch of images as stored (bytes 0–255, one row per image; each
    /// implementation applies the chapter's /255 its own way). Returns the batch's summed cross-entropy loss and how
    /// many of its images the parameters before the update classified correctly, as tensors, so the loop never waits
    /// on a value it does not need until the end of the epoch.</summary>
    (Tensor LossSum, Tensor Correct) Step(Tensor pixelBytes, Tensor labels, double learningRate);

    /// <summary>The parameters in the saved layout.</summary>
    ModelWeights Export();

    /// <summary>The one place that maps an <see cref="Implementation"/> to its class.</summary>
    static ISoftmaxImplementation Create(Hyperparameters hyperparameters, Generator generator) =>
        hyperparameters.Implementation switch
        {
            Implementation.Scratch => new ScratchSoftmaxRegression(hyperparameters, generator),
            Implementation.Fused => new FusedSoftmaxRegression(hyperparameters, generator),
            Implementation.Builtin => new BuiltinSoftmaxRegression(hyperparameters, generator),
            _ => throw new ArgumentOutOfRangeException(nameof(hyperparameters), $"Unknown implementation {hyperparameters.Implementation}."),
        };

    /// <summary>Whether jobs of <paramref name="implementation"/> may train at low scheduling priority. Only one that
    /// passes TorchSharp no implicitly converted Scalar may (see <see cref="FusedSoftmaxRegression"/>): a
    /// descheduled thread leaves a garbage collection time to free such a Scalar mid-call. <c>scratch</c> reads like the
    /// book, with plain numbers in its arithmetic, and <c>builtin</c>'s torch.optim makes its own; both failed jobs at
    /// low priority in ScalarLifetimeTests.</summary>
    static bool SafeAtLowPriority(Implementation implementation) => implementation == Implementation.Fused;
}
