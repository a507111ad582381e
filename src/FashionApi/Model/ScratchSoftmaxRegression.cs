using static TorchSharp.torch;

namespace FashionApi.Model;

/// <summary>
/// The tutorial's from-scratch version: W 784×10 ~ N(0, 0.01), b = 0, softmax and cross-entropy written out, and the
/// update written by hand. The gradient is the analytic one of softmax + cross-entropy, (softmax − one-hot) / n, which
/// is what autograd would compute, without building a graph for every minibatch.
/// </summary>
public sealed class ScratchSoftmaxRegression : ISoftmaxImplementation
{
    const double Beta1 = 0.9, Beta2 = 0.999, AdamEpsilon = 1e-8;

    readonly Hyperparameters hyperparameters;
    readonly Tensor w, b;
    readonly Tensor? velocityW, velocityB;           // sgd with momentum
    readonly Tensor? squareW, squareB;               // adam's second moment (velocity* hold the first)
    int steps;

    public ScratchSoftmaxRegression(Hyperparameters hyperparameters, Generator generator)
    {
        this.hyperparameters = hyperparameters;
        w = normal(0, 0.01, [ModelWeights.Inputs, ModelWeights.Outputs], generator: generator);
        b = zeros(ModelWeights.Outputs);
        if (hyperparameters.Optimizer == "adam" || hyperparameters.Momentum > 0)
        {
            velocityW = zeros_like(w);
            velocityB = zeros_like(b);
        }
        if (hyperparameters.Optimizer == "adam")
        {
            squareW = zeros_like(w);
            squareB = zeros_like(b);
        }
    }

    public Tensor Logits(Tensor pixels) => addmm(b, pixels, w, beta: 1, alpha: 1);

    public (Tensor Logits, Tensor LossSum) Step(Tensor pixels, Tensor labels, double learningRate)
    {
        using var scope = NewDisposeScope();
        var logits = Logits(pixels);

        // Numerically stable softmax: shifting by the row maximum leaves it unchanged and keeps exp() finite.
        var shifted = logits - logits.amax([1], keepdim: true);
        var exp = shifted.exp();
        var sumExp = exp.sum(1, keepdim: true);
        var probabilities = exp.div_(sumExp);

        // Cross-entropy, −log(p[true class]) = log Σexp − shifted[true class], computed without taking log of ~0.
        var lossSum = (sumExp.log().squeeze(1) - shifted.gather(1, labels.unsqueeze(1)).squeeze(1)).sum();

        var gradLogits = probabilities.sub_(nn.functional.one_hot(labels, ModelWeights.Outputs)).div_(pixels.shape[0]);
        var gradW = pixels.t().mm(gradLogits);
        var gradB = gradLogits.sum(dim: 0); // named: a literal 0 would bind to the dtype overload
        Update(w, gradW, velocityW, squareW, learningRate);
        Update(b, gradB, velocityB, squareB, learningRate);
        steps++;
        return (logits.MoveToOuterDisposeScope(), lossSum.MoveToOuterDisposeScope());
    }

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

    public ModelWeights Export()
    {
        using var weight = w.t().contiguous();
        return new ModelWeights(weight.data<float>().ToArray(), b.data<float>().ToArray());
    }

    public void Dispose()
    {
        foreach (var tensor in new[] { w, b, velocityW, velocityB, squareW, squareB })
            tensor?.Dispose();
    }
}
