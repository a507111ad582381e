using TorchSharp;
using static TorchSharp.torch;

namespace FashionApi.Softmax;

/// <summary>
/// The same algorithm as <see cref="ScratchSoftmaxRegression"/>, arranged for speed; it trains the <c>seed</c> and
/// <c>default</c> presets. Same initial parameters, same softmax, cross-entropy, analytic gradient and updates, so
/// the two give the same weights to float rounding (tested). A step on 256 images is two small matrix products
/// plus a dozen tiny libtorch calls that cost a few microseconds each whatever their size, so the arrangement is
/// about doing fewer calls and no pass over the pixels beyond the two products. Each trick is stated where it is used.
/// <para>
/// No plain number is passed where TorchSharp expects a <see cref="Scalar"/>, and no overload that supplies one itself
/// (<c>add_(tensor)</c> adds <c>alpha: 1</c>) is called: TorchSharp frees such an implicit Scalar only in its finalizer,
/// and nothing keeps it alive during the native call, so a garbage collection on another thread can free it while
/// libtorch reads it. That failed jobs on a low-priority training thread (ScalarLifetimeTests); every Scalar here is
/// made explicitly and disposed.
/// </para>
/// </summary>
public sealed class FusedSoftmaxRegression : ISoftmaxImplementation
{
    const double Beta1 = 0.9, Beta2 = 0.999, AdamEpsilon = 1e-8;
    const int Columns = ModelWeights.Inputs + 1;
    const float PixelScale = 1f / 255;

    readonly Hyperparameters hyperparameters;
    readonly Tensor parameters;     // 10×785: W transposed (one row per class), then b as the last column
    readonly Tensor inputBuffer;    // batch×785: a minibatch's pixels as floats (0–255), then the constant 255
    readonly Tensor scoreBuffer;    // 10×batch: scores, then probabilities, then their gradient, in place
    readonly Tensor minusOnes;      // 1×batch of −1
    readonly Tensor? gradient;      // 10×785, for the optimizers that need the gradient itself
    readonly Tensor? firstMoment;   // momentum buffer (sgd) or first moment (adam)
    readonly Tensor? secondMoment;  // adam's second moment
    readonly Batch fullBatch;
    readonly Scalar zero = 0, one = 1; // the constants every step passes, made once per job (see the summary)
    int steps;

    public FusedSoftmaxRegression(Hyperparameters hyperparameters, Generator generator)
    {
        this.hyperparameters = hyperparameters;
        // Trick: the bias is a 785th column of the parameters, multiplied by a constant input column, so one product
        // computes X·W + b and one update changes both. Trick: W is drawn exactly as scratch draws it (784×10,
        // N(0, 0.01)) but stored transposed, and the scores are computed transposed too (10×n = Wᵀ·Xᵀ): for these
        // shapes libtorch runs that orientation about twice as fast as X·W, and the update product G·X then needs no
        // transpose of its own.
        using (NewDisposeScope())
        using (Scalar standardDeviation = 0.01)
        {
            // randn · 0.01 is what normal(0, 0.01) computes, without the implicit Scalars normal makes.
            var weight = randn([ModelWeights.Inputs, ModelWeights.Outputs], generator: generator).mul_(standardDeviation);
            parameters = cat([weight.t(), zeros(ModelWeights.Outputs, 1)], 1).MoveToOuterDisposeScope();
        }
        // Trick: buffers are allocated once per job and reused by every step.
        inputBuffer = empty(hyperparameters.BatchSize, Columns);
        using (var constantColumn = inputBuffer.narrow(1, ModelWeights.Inputs, 1))
        using (Scalar pixelMaximum = 255)
            constantColumn.fill_(pixelMaximum);
        scoreBuffer = empty(ModelWeights.Outputs, hyperparameters.BatchSize);
        using (Scalar minusOne = -1f)
            minusOnes = full(1, hyperparameters.BatchSize, minusOne);
        if (!PlainSgd)
            gradient = zeros_like(parameters);
        if (hyperparameters.Optimizer == Optimizer.Adam || hyperparameters.Momentum > 0)
            firstMoment = zeros_like(parameters);
        if (hyperparameters.Optimizer == Optimizer.Adam)
            secondMoment = zeros_like(parameters);
        fullBatch = new Batch(this, hyperparameters.BatchSize);
    }

    bool PlainSgd => hyperparameters.Optimizer == Optimizer.Sgd && hyperparameters.Momentum == 0 && hyperparameters.WeightDecay == 0;

    public (Tensor LossSum, Tensor Correct) Step(Tensor pixelBytes, Tensor labels, double learningRate)
    {
        using var scope = NewDisposeScope();
        long n = pixelBytes.shape[0];
        // Trick: the views of the buffers for a full minibatch are made once; only a partial last one makes its own.
        using var partialBatch = n == hyperparameters.BatchSize ? null : new Batch(this, n);
        var batch = partialBatch ?? fullBatch;

        // Scores, transposed (10×n): (W | b)ᵀ·(x | 255)ᵀ / 255. Trick: the chapter's X / 255 is folded into the
        // product's scale factor instead of dividing every pixel (a division per pixel cost as much as all the tiny
        // calls of a step together); so the constant column holds 255, not 1.
        batch.Pixels.copy_(pixelBytes);
        var scores = batch.Scores.addmm_(parameters, batch.InputsTransposed, beta: 0, alpha: PixelScale);

        // Softmax over each image's column, in place: subtract the maximum, exp, divide by the sum.
        var trueClass = labels.unsqueeze(0);
        scores.sub_(scores.amax([0], keepdim: true));
        var trueShifted = scores.gather(0, trueClass);
        var sumExp = scores.exp_().sum(0, keepdim: true);
        scores.div_(sumExp);

        // Trick: cross-entropy without taking the log of every probability: −log(p[true]) = log Σexp − shifted[true].
        // And accuracy from the same numbers: an image is classified correctly exactly when its true class's shifted
        // score is the maximum, 0.
        var lossSum = sumExp.log_().sub_(trueShifted).sum();
        var correct = trueShifted.eq(zero).sum();

        // ∂loss/∂scores per image, before dividing by n: softmax − one-hot, with one scatter of −1s in place.
        scores.scatter_add_(0, trueClass, batch.MinusOnes);
        double scale = PixelScale / (double)n;
        if (PlainSgd)
        {
            // Trick: plain SGD is fused into the update product itself: W ← W − lr · G·X / n, in one call.
            parameters.addmm_(scores, batch.Inputs, beta: 1, alpha: (float)(-learningRate * scale));
        }
        else
        {
            gradient!.addmm_(scores, batch.Inputs, beta: 0, alpha: (float)scale);
            Update(learningRate);
        }
        steps++;
        return (lossSum.MoveToOuterDisposeScope(), correct.MoveToOuterDisposeScope());
    }

    /// <summary>SGD (with momentum) or Adam, as torch.optim defines them, with L2 weight decay added to the gradient
    /// (of the bias too, as torch.optim applies it to every parameter it is given).</summary>
    void Update(double learningRate)
    {
        using var scope = NewDisposeScope();
        // Explicit, disposed Scalars (see the summary); these change with the step, so they are made per step.
        using Scalar weightDecay = hyperparameters.WeightDecay, momentum = hyperparameters.Momentum, minusLearningRate = -learningRate;
        var g = hyperparameters.WeightDecay > 0 ? gradient!.add(parameters, alpha: weightDecay) : gradient!;
        if (secondMoment is not null && firstMoment is not null)
        {
            int t = steps + 1;
            using Scalar beta1 = Beta1, oneMinusBeta1 = 1 - Beta1, beta2 = Beta2, oneMinusBeta2 = 1 - Beta2, epsilon = AdamEpsilon,
                minusStepSize = -learningRate / (1 - Math.Pow(Beta1, t)), biasCorrection2 = 1 - Math.Pow(Beta2, t);
            firstMoment.mul_(beta1).add_(g, alpha: oneMinusBeta1);
            secondMoment.mul_(beta2).addcmul_(g, g, value: oneMinusBeta2);
            var denominator = secondMoment.div(biasCorrection2).sqrt_().add_(epsilon, alpha: one);
            parameters.addcdiv_(firstMoment, denominator, value: minusStepSize);
        }
        else if (firstMoment is not null)
        {
            firstMoment.mul_(momentum).add_(g, alpha: one);
            parameters.add_(firstMoment, alpha: minusLearningRate);
        }
        else
        {
            parameters.add_(g, alpha: minusLearningRate);
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
        zero.Dispose();
        one.Dispose();
        foreach (var tensor in new[] { parameters, inputBuffer, scoreBuffer, minusOnes, gradient, firstMoment, secondMoment })
            tensor?.Dispose();
    }

    /// <summary>Views of the buffers for a minibatch of n images.</summary>
    sealed class Batch : IDisposable
    {
        public Batch(FusedSoftmaxRegression model, long n)
        {
            Inputs = model.inputBuffer.narrow(0, 0, n);
            InputsTransposed = Inputs.t();
            Pixels = Inputs.narrow(1, 0, ModelWeights.Inputs);
            Scores = model.scoreBuffer.narrow(1, 0, n);
            MinusOnes = model.minusOnes.narrow(1, 0, n);
        }

        public Tensor Inputs { get; }            // n×785
        public Tensor InputsTransposed { get; }  // 785×n
        public Tensor Pixels { get; }            // n×784, the part of Inputs that holds the images
        public Tensor Scores { get; }            // 10×n
        public Tensor MinusOnes { get; }         // 1×n

        public void Dispose()
        {
            foreach (var view in new[] { Inputs, InputsTransposed, Pixels, Scores, MinusOnes })
                view.Dispose();
        }
    }
}
