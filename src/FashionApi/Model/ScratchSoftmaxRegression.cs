using static TorchSharp.torch;

namespace FashionApi.Model;

/// <summary>
/// The tutorial's from-scratch version: W ~ N(0, 0.01), b = 0, softmax and cross-entropy written out, and the update
/// written by hand. The gradient is the analytic one of softmax + cross-entropy, Xᵀ(softmax − one-hot) / n, which is
/// what autograd would compute, without building a graph for every minibatch.
/// <para>The algebra is the tutorial's, arranged for speed (a step is two small matrix products and about fifteen
/// tiny operations, so each operation saved shows):</para>
/// <list type="bullet">
/// <item>Transposed: scores are 10×n, Oᵀ = W·Xᵀ + b, because libtorch multiplies a 784-wide batch by 10 columns about
/// twice as fast in that orientation, and the update G·X then needs no transpose of its own.</item>
/// <item>The bias is a 785th column of W, multiplied by a constant input column, so one product computes W·x + b
/// and one update changes both.</item>
/// <item>The tutorial's x / 255 is folded into the products' scale factor instead of dividing every pixel (a division
/// per pixel cost as much as all the tiny operations together); so the constant column holds 255, not 1.</item>
/// <item>Each minibatch is worked on in two halves of images, for the two matrix products (and the conversion of the
/// pixels to floats), which a <see cref="ParallelPair"/> runs on two threads at once. The halves are computed the same
/// whatever runs them, so one thread or two give identical weights.</item>
/// </list>
/// </summary>
public sealed partial class ScratchSoftmaxRegression : ISoftmaxImplementation
{
    const double Beta1 = 0.9, Beta2 = 0.999, AdamEpsilon = 1e-8;
    const int Columns = ModelWeights.Inputs + 1;
    const float PixelScale = 1f / 255;

    readonly Hyperparameters hyperparameters;
    readonly ParallelPair pair;
    readonly Tensor parameters;     // 10×785: W, then b as the last column
    readonly Tensor inputBuffer;    // batch×785: a minibatch's pixels as floats (0–255), then the constant 255
    readonly Tensor scoreBuffer;    // 10×batch: scores, then probabilities, then their gradient, in place
    readonly Tensor minusOnes;      // 1×batch: subtracts the one-hot targets from the probabilities in one scatter
    readonly Tensor? gradient;      // 10×785, for the optimizers that need the gradient itself
    readonly Tensor? firstMoment;   // momentum buffer (sgd) or first moment (adam)
    readonly Tensor? secondMoment;  // adam's second moment
    readonly Tensor secondHalfProduct; // 10×785: the update's product over the second half of a minibatch
    readonly Minibatch fullBatch;
    float productScale;             // the update product's factor in the current step
    int steps;

    public ScratchSoftmaxRegression(Hyperparameters hyperparameters, Generator generator, ParallelPair pair)
    {
        this.hyperparameters = hyperparameters;
        this.pair = pair;
        using (var weight = normal(0, 0.01, [ModelWeights.Outputs, ModelWeights.Inputs], generator: generator))
        using (var bias = zeros(ModelWeights.Outputs, 1))
            parameters = cat([weight, bias], 1);
        inputBuffer = empty(hyperparameters.BatchSize, Columns);
        using (var constantColumn = inputBuffer.narrow(1, ModelWeights.Inputs, 1))
            constantColumn.fill_(255);
        scoreBuffer = empty(ModelWeights.Outputs, hyperparameters.BatchSize);
        minusOnes = full(1, hyperparameters.BatchSize, -1f);
        if (!PlainSgd)
            gradient = zeros_like(parameters);
        if (hyperparameters.Optimizer == Optimizer.Adam || hyperparameters.Momentum > 0)
            firstMoment = zeros_like(parameters);
        if (hyperparameters.Optimizer == Optimizer.Adam)
            secondMoment = zeros_like(parameters);
        secondHalfProduct = zeros_like(parameters);
        fullBatch = new Minibatch(this, hyperparameters.BatchSize);
    }

    bool PlainSgd => hyperparameters.Optimizer == Optimizer.Sgd && hyperparameters.Momentum == 0 && hyperparameters.WeightDecay == 0;

    public (Tensor LossSum, Tensor Misclassified) Step(Tensor pixelBytes, Tensor labels, double learningRate)
    {
        using var scope = NewDisposeScope();
        long n = pixelBytes.shape[0];
        using var partialBatch = n == hyperparameters.BatchSize ? null : new Minibatch(this, n);
        var batch = partialBatch ?? fullBatch;

        batch.Load(pixelBytes);
        pair.Run(batch.ScoreFirstHalf, batch.ScoreSecondHalf);

        // Softmax, numerically stable: shifting each image's scores by their maximum leaves it unchanged and keeps
        // exp() finite.
        var scores = batch.Scores;
        var trueClass = labels.unsqueeze(0);
        scores.sub_(scores.amax([0], keepdim: true));
        var trueShifted = scores.gather(0, trueClass);
        var sumExp = scores.exp_().sum(0, keepdim: true);
        scores.div_(sumExp);

        // Cross-entropy, −log(p[true class]) = log Σexp − shifted[true class], summed over the batch. An image is
        // classified correctly exactly when its true class's shifted score is the maximum, 0.
        var lossSum = sumExp.log_().sub_(trueShifted).sum();
        var misclassified = trueShifted.count_nonzero();

        // ∂loss/∂scores per image, before dividing by n: softmax − one-hot. Then the update, which for plain SGD is
        // fused into the products themselves: W ← W − lr·G·X/n.
        scores.scatter_add_(0, trueClass, batch.MinusOnes);
        if (PlainSgd)
        {
            productScale = (float)(-learningRate * PixelScale / n);
            pair.Run(batch.UpdateWithFirstHalf, batch.SecondHalfProduct);
            parameters.add_(secondHalfProduct);
        }
        else
        {
            productScale = (float)(PixelScale / n);
            pair.Run(batch.GradientOfFirstHalf, batch.SecondHalfProduct);
            gradient!.add_(secondHalfProduct);
            Update(learningRate);
        }
        steps++;
        return (lossSum.MoveToOuterDisposeScope(), misclassified.MoveToOuterDisposeScope());
    }

    /// <summary>SGD (with momentum) or Adam, as torch.optim defines them, with L2 weight decay added to the gradient
    /// (of the bias too, as torch.optim applies it to every parameter it is given).</summary>
    void Update(double learningRate)
    {
        var g = hyperparameters.WeightDecay > 0 ? gradient!.add(parameters, alpha: hyperparameters.WeightDecay) : gradient!;
        if (secondMoment is not null && firstMoment is not null)
        {
            int t = steps + 1;
            firstMoment.mul_(Beta1).add_(g, alpha: 1 - Beta1);
            secondMoment.mul_(Beta2).addcmul_(g, g, value: 1 - Beta2);
            double stepSize = learningRate / (1 - Math.Pow(Beta1, t));
            var denominator = secondMoment.div(1 - Math.Pow(Beta2, t)).sqrt_().add_(AdamEpsilon);
            parameters.addcdiv_(firstMoment, denominator, value: -stepSize);
        }
        else if (firstMoment is not null)
        {
            firstMoment.mul_(hyperparameters.Momentum).add_(g);
            parameters.add_(firstMoment, alpha: -learningRate);
        }
        else
        {
            parameters.add_(g, alpha: -learningRate);
        }
    }

    public ModelWeights Export()
    {
        using var scope = NewDisposeScope();
        return new(parameters.narrow(1, 0, ModelWeights.Inputs).contiguous().data<float>().ToArray(),
                   parameters.narrow(1, ModelWeights.Inputs, 1).contiguous().data<float>().ToArray());
    }

    public void Dispose()
    {
        fullBatch.Dispose();
        foreach (var tensor in new[] { parameters, inputBuffer, scoreBuffer, minusOnes, secondHalfProduct, gradient, firstMoment, secondMoment })
            tensor?.Dispose();
    }
}
