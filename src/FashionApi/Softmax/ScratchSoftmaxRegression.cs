using static TorchSharp.torch;

namespace FashionApi.Softmax;

/// <summary>
/// Softmax regression from scratch, as section 3.6 of <i>Dive into Deep Learning</i> writes it; read it next to the
/// book. Each piece has the book's name: the parameters <see cref="W"/> and <see cref="b"/>, <see cref="Softmax"/>,
/// the model <see cref="Net"/>, <see cref="CrossEntropy"/>, <see cref="Accuracy"/>, the minibatch update
/// <see cref="Updater"/> with <see cref="Sgd"/>, and <see cref="Step"/>, the body of the book's <c>train_epoch_ch3</c>
/// loop. The loop over minibatches and epochs (<c>train_epoch_ch3</c>, <c>train_ch3</c>) is
/// <see cref="SoftmaxTrainer"/>, shared by all three implementations as the book shares it with section 3.7.
/// <para>
/// Gradients are computed analytically rather than with autograd (the book's TensorFlow code uses a gradient tape).
/// Section 3.4 derives them: the derivative of cross-entropy with respect to the scores is softmax − one-hot labels,
/// so the formula is the chapter's own and takes two lines (<see cref="Gradients"/>). Autograd would differentiate
/// through −log of a probability, which is infinite once a probability rounds to 0; the formula never is. The
/// <c>builtin</c> implementation does use autograd, and the tests check both give the same weights.
/// </para>
/// </summary>
public sealed class ScratchSoftmaxRegression : ISoftmaxImplementation
{
    const int NumInputs = ModelWeights.Inputs, NumOutputs = ModelWeights.Outputs;

    readonly OtherOptimizers? otherOptimizers;

    public ScratchSoftmaxRegression(Hyperparameters hyperparameters, Generator generator)
    {
        W = normal(0, 0.01, [NumInputs, NumOutputs], generator: generator);
        b = zeros(NumOutputs);
        if (!IsPlainSgd(hyperparameters))
            otherOptimizers = new OtherOptimizers(hyperparameters, [W, b]);
    }

    /// <summary>The weights, 784×10, initialised from N(0, 0.01).</summary>
    public Tensor W { get; }

    /// <summary>The bias, 10 zeros to start with.</summary>
    public Tensor b { get; }

    /// <summary>exp of every score, divided by its row's sum: each row becomes probabilities. Subtracting each row's
    /// maximum first changes nothing mathematically and keeps exp from overflowing (the book, 3.7).</summary>
    public static Tensor Softmax(Tensor X)
    {
        var X_exp = exp(X - X.amax([1], keepdim: true));
        var partition = X_exp.sum(1, keepdim: true);
        return X_exp / partition;
    }

    /// <summary>The model: softmax(X·W + b), one row of 784 pixels per image in, ten probabilities per image out.</summary>
    public Tensor Net(Tensor X) => Softmax(X.reshape(-1, W.shape[0]).matmul(W) + b);

    /// <summary>−log of the probability each image's true class got. A probability that rounds to 0 (a model very
    /// sure of another class, as large learning rates make it) counts as the smallest float, a loss of about 103
    /// rather than infinity.</summary>
    public static Tensor CrossEntropy(Tensor y_hat, Tensor y) =>
        -log(y_hat.gather(1, y.unsqueeze(1)).squeeze(1).clamp_min(float.Epsilon));

    /// <summary>How many images the most probable class gets right.</summary>
    public static Tensor Accuracy(Tensor y_hat, Tensor y) => y_hat.argmax(1).eq(y).sum();

    /// <summary>One minibatch: predict, score, update (the body of the book's <c>train_epoch_ch3</c> loop). Returns
    /// the minibatch's summed loss and number of correct predictions, which the trainer adds up over the epoch.</summary>
    public (Tensor LossSum, Tensor Correct) Step(Tensor pixelBytes, Tensor y, double learningRate)
    {
        using var scope = NewDisposeScope();
        var X = pixelBytes.to_type(float32) / 255; // the book's images: 0–1 floats
        var y_hat = Net(X);
        var l = CrossEntropy(y_hat, y);
        var (gradW, gradB) = Gradients(X, y_hat, y);
        Updater(gradW, gradB, learningRate, batchSize: X.shape[0]);
        return (l.sum().MoveToOuterDisposeScope(), Accuracy(y_hat, y).MoveToOuterDisposeScope());
    }

    /// <summary>What the book's <c>tape.gradient(l, [W, b])</c> returns: the gradients of the minibatch's summed
    /// loss. With respect to the scores X·W + b it is y_hat − one-hot(y); so for W it is Xᵀ·(y_hat − one-hot(y)), and
    /// for b the column sums of y_hat − one-hot(y).</summary>
    static (Tensor W, Tensor b) Gradients(Tensor X, Tensor y_hat, Tensor y)
    {
        var dScores = y_hat - nn.functional.one_hot(y, NumOutputs).to_type(float32);
        return (X.t().matmul(dScores), dScores.sum(dim: 0)); // "dim:": a bare 0 would be taken for a dtype
    }

    /// <summary>The book's updater: minibatch SGD on [W, b]. Requests may ask for more than the chapter does
    /// (momentum, Adam, weight decay), which <see cref="OtherOptimizers"/> handles.</summary>
    void Updater(Tensor gradW, Tensor gradB, double learningRate, long batchSize)
    {
        if (otherOptimizers is null)
            Sgd([W, b], [gradW, gradB], learningRate, batchSize);
        else
            otherOptimizers.Step([gradW, gradB], learningRate, batchSize);
    }

    /// <summary>The book's minibatch stochastic gradient descent: param ← param − lr · grad / batch_size.</summary>
    static void Sgd(Tensor[] @params, Tensor[] grads, double lr, long batchSize)
    {
        for (int i = 0; i < @params.Length; i++)
            @params[i].sub_(lr * grads[i] / batchSize);
    }

    static bool IsPlainSgd(Hyperparameters hp) => hp.Optimizer == Optimizer.Sgd && hp.Momentum == 0 && hp.WeightDecay == 0;

    public ModelWeights Export()
    {
        using var scope = NewDisposeScope();
        return new(W.t().contiguous().data<float>().ToArray(), b.data<float>().ToArray());
    }

    public void Dispose()
    {
        otherOptimizers?.Dispose();
        W.Dispose();
        b.Dispose();
    }

    /// <summary>Beyond the chapter: SGD with momentum, and Adam, each with optional L2 weight decay, as torch.optim
    /// defines them (so <c>builtin</c> gives the same weights). They work on the mean gradient, grad / batch_size.</summary>
    sealed class OtherOptimizers(Hyperparameters hp, Tensor[] @params) : IDisposable
    {
        const double Beta1 = 0.9, Beta2 = 0.999, Epsilon = 1e-8;
        readonly Tensor[] firstMoments = @params.Select(p => zeros_like(p)).ToArray();  // momentum buffer, or Adam's m
        readonly Tensor[] secondMoments = @params.Select(p => zeros_like(p)).ToArray(); // Adam's v
        int t;

        public void Step(Tensor[] grads, double lr, long batchSize)
        {
            t++;
            for (int i = 0; i < @params.Length; i++)
            {
                var g = grads[i] / batchSize + hp.WeightDecay * @params[i];
                if (hp.Optimizer == Optimizer.Adam)
                {
                    firstMoments[i].mul_(Beta1).add_((1 - Beta1) * g);
                    secondMoments[i].mul_(Beta2).add_((1 - Beta2) * g * g);
                    var mHat = firstMoments[i] / (1 - Math.Pow(Beta1, t));
                    var vHat = secondMoments[i] / (1 - Math.Pow(Beta2, t));
                    @params[i].sub_(lr * mHat / (vHat.sqrt() + Epsilon));
                }
                else
                {
                    firstMoments[i].mul_(hp.Momentum).add_(g);
                    @params[i].sub_(lr * firstMoments[i]);
                }
            }
        }

        public void Dispose()
        {
            foreach (var moment in firstMoments.Concat(secondMoments))
                moment.Dispose();
        }
    }
}
