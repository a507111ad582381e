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
    readonly Tensor? firstW, firstB;    // momentum buffer (sgd) or first moment (adam)
    readonly Tensor? secondW, secondB;  // adam's second moment
    int steps;

    public ScratchSoftmaxRegression(Hyperparameters hyperparameters, Generator generator)
    {
        this.hyperparameters = hyperparameters;
        w = normal(0, 0.01, [ModelWeights.Outputs, ModelWeights.Inputs], generator: generator);
        b = zeros(ModelWeights.Outputs, 1);
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

    /// <summary>Class scores transposed, 10×n: column i holds image i's ten scores.</summary>
    Tensor ScoresT(Tensor pixels) => addmm(b, w, pixels.t(), beta: 1, alpha: 1);

    public Tensor Logits(Tensor pixels)
    {
        using var scoresT = ScoresT(pixels);
        return scoresT.t().contiguous();
    }

    public (Tensor LossSum, Tensor Correct) Step(Tensor pixels, Tensor labels, double learningRate)
    {
        using var scope = NewDisposeScope();
        long n = pixels.shape[0];
        // Softmax, numerically stable: shifting each image's scores by their maximum leaves it unchanged and keeps
        // exp() finite. The shift is done in place.
        var shifted = ScoresT(pixels);
        shifted.sub_(shifted.amax([0], keepdim: true));
        var exp = shifted.exp();
        var sumExp = exp.sum(0, keepdim: true);
        var probabilities = exp.div_(sumExp);

        // Cross-entropy, −log(p[true class]) = log Σexp − shifted[true class], summed over the batch. The true class
        // was predicted exactly when its shifted score is the maximum, 0 (cheaper than an argmax over the batch).
        var oneHot = nn.functional.one_hot(labels, ModelWeights.Outputs).t();
        var trueShifted = shifted.mul(oneHot).sum(dim: 0); // named: a literal 0 would bind to the dtype overload
        var lossSum = sumExp.log().sum().sub_(trueShifted.sum());
        var correct = trueShifted.eq(0).sum();

        var gradScores = probabilities.sub_(oneHot);            // ∂loss/∂scores per image (before dividing by n)
        if (PlainSgd)
        {
            // W ← W − lr·Gᵀ·X/n and b ← b − lr·ΣG/n, with the gradient product and the update fused in one call.
            w.addmm_(gradScores, pixels, beta: 1, alpha: (float)(-learningRate / n));
            b.add_(gradScores.sum(1, keepdim: true), alpha: -learningRate / n);
        }
        else
        {
            Update(w, gradScores.mm(pixels).div_(n), firstW, secondW, learningRate);
            Update(b, gradScores.sum(1, keepdim: true).div_(n), firstB, secondB, learningRate);
        }
        steps++;
        return (lossSum.MoveToOuterDisposeScope(), correct.MoveToOuterDisposeScope());
    }

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
        foreach (var tensor in new[] { w, b, firstW, firstB, secondW, secondB })
            tensor?.Dispose();
    }
}
