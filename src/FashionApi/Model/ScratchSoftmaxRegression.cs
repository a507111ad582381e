using static TorchSharp.torch;

namespace FashionApi.Model;

/// <summary>
/// The tutorial's from-scratch version: W ~ N(0, 0.01), b = 0, softmax and cross-entropy written out, and the update
/// written by hand. The gradient is the analytic one of softmax + cross-entropy, Xᵀ(softmax − one-hot) / n, which is
/// what autograd would compute, without building a graph for every minibatch.
/// The algebra is the tutorial's, transposed: W is stored 10×784 and the step works on class scores as 10×n
/// (Oᵀ = W·Xᵀ + b rather than O = X·W + b), because libtorch's kernels multiply a 784-wide batch by 10 columns about
/// twice as fast in that orientation, and the update Gᵀ·X then needs no transpose of its own.
/// </summary>
public sealed class ScratchSoftmaxRegression : ISoftmaxImplementation
{
    const double Beta1 = 0.9, Beta2 = 0.999, AdamEpsilon = 1e-8;

    readonly Hyperparameters hyperparameters;
    readonly Tensor w, b;
    readonly Tensor minusOnes;          // subtracts the one-hot targets from the probabilities in one scatter
    readonly Tensor? firstW, firstB;    // momentum buffer (sgd) or first moment (adam)
    readonly Tensor? secondW, secondB;  // adam's second moment
    int steps;

    public ScratchSoftmaxRegression(Hyperparameters hyperparameters, Generator generator)
    {
        this.hyperparameters = hyperparameters;
        w = normal(0, 0.01, [ModelWeights.Outputs, ModelWeights.Inputs], generator: generator);
        b = zeros(ModelWeights.Outputs, 1);
        minusOnes = full(1, hyperparameters.BatchSize, -1f);
        if (hyperparameters.Optimizer == "adam" || hyperparameters.Momentum > 0)
        {
            firstW = zeros_like(w);
            firstB = zeros_like(b);
        }
        if (hyperparameters.Optimizer == "adam")
        {
            secondW = zeros_like(w);
            secondB = zeros_like(b);
        }
    }

    bool PlainSgd => firstW is null && hyperparameters.WeightDecay == 0;

    public (Tensor LossSum, Tensor Misclassified) Step(Tensor pixelBytes, Tensor labels, double learningRate)
    {
        using var scope = NewDisposeScope();
        long n = pixelBytes.shape[0];
        // The tutorial's x / 255 is folded into the two matrix products (alpha = 1/255) instead of dividing every
        // pixel: a division per pixel costs as much as all the small operations below together.
        var pixels = pixelBytes.to_type(float32);
        var trueClass = labels.unsqueeze(0);

        // Softmax, numerically stable: shifting each image's scores by their maximum leaves it unchanged and keeps
        // exp() finite. Everything is done in place on the one 10×n buffer.
        var scores = addmm(b, w, pixels.t(), beta: 1, alpha: 1f / 255);
        scores.sub_(scores.amax([0], keepdim: true));
        var trueShifted = scores.gather(0, trueClass);
        var sumExp = scores.exp_().sum(0, keepdim: true);
        var probabilities = scores.div_(sumExp);

        // Cross-entropy, −log(p[true class]) = log Σexp − shifted[true class], summed over the batch. An image is
        // classified correctly exactly when its true class's shifted score is the maximum, 0.
        var lossSum = sumExp.log_().sub_(trueShifted).sum();
        var misclassified = trueShifted.count_nonzero();

        // ∂loss/∂scores per image (before dividing by n): softmax − one-hot.
        var gradScores = probabilities.scatter_add_(0, trueClass, MinusOnes(n));
        if (PlainSgd)
        {
            // W ← W − lr·Gᵀ·X/n and b ← b − lr·ΣG/n, with the gradient product and the update fused in one call.
            w.addmm_(gradScores, pixels, beta: 1, alpha: (float)(-learningRate / (n * 255.0)));
            b.add_(gradScores.sum(1, keepdim: true), alpha: -learningRate / n);
        }
        else
        {
            Update(w, gradScores.mm(pixels).mul_(1 / (n * 255.0)), firstW, secondW, learningRate);
            Update(b, gradScores.sum(1, keepdim: true).div_(n), firstB, secondB, learningRate);
        }
        steps++;
        return (lossSum.MoveToOuterDisposeScope(), misclassified.MoveToOuterDisposeScope());
    }

    Tensor MinusOnes(long n) => n == minusOnes.shape[1] ? minusOnes : minusOnes.narrow(1, 0, n);

    /// <summary>SGD (with momentum) or Adam, as torch.optim defines them, with L2 weight decay added to the gradient.</summary>
    void Update(Tensor parameter, Tensor gradient, Tensor? first, Tensor? second, double learningRate)
    {
        if (hyperparameters.WeightDecay > 0)
            gradient = gradient.add(parameter, alpha: hyperparameters.WeightDecay);

        if (second is not null && first is not null)
        {
            int t = steps + 1;
            first.mul_(Beta1).add_(gradient, alpha: 1 - Beta1);
            second.mul_(Beta2).addcmul_(gradient, gradient, value: 1 - Beta2);
            double stepSize = learningRate / (1 - Math.Pow(Beta1, t));
            var denominator = second.div(1 - Math.Pow(Beta2, t)).sqrt_().add_(AdamEpsilon);
            parameter.addcdiv_(first, denominator, value: -stepSize);
        }
        else if (first is not null)
        {
            first.mul_(hyperparameters.Momentum).add_(gradient);
            parameter.add_(first, alpha: -learningRate);
        }
        else
        {
            parameter.add_(gradient, alpha: -learningRate);
        }
    }

    public ModelWeights Export() => new(w.data<float>().ToArray(), b.data<float>().ToArray());

    public void Dispose()
    {
        foreach (var tensor in new[] { w, b, minusOnes, firstW, firstB, secondW, secondB })
            tensor?.Dispose();
    }
}
