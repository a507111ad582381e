using static TorchSharp.torch;

namespace FashionApi.Softmax;

/// <summary>The tutorial's concise version: the <see cref="SoftmaxRegression"/> module (an <c>nn.Linear</c>), the
/// library's cross-entropy and a <c>torch.optim</c> optimizer.</summary>
public sealed class BuiltinSoftmaxRegression : ISoftmaxImplementation
{
    readonly SoftmaxRegression model = new();
    readonly optim.Optimizer optimizer;

    public BuiltinSoftmaxRegression(Hyperparameters hyperparameters, Generator generator)
    {
        using (no_grad())
        using (NewDisposeScope())
        {
            // Same initialisation as the from-scratch version, W (784×10) ~ N(0, 0.01); nn.Linear keeps it transposed.
            model.Weight.copy_(normal(0, 0.01, [ModelWeights.Inputs, ModelWeights.Outputs], generator: generator).t());
            model.Bias.zero_();
        }
        optimizer = hyperparameters.Optimizer switch
        {
            Optimizer.Adam => optim.Adam(model.parameters(), hyperparameters.LearningRate, weight_decay: hyperparameters.WeightDecay),
            _ => optim.SGD(model.parameters(), hyperparameters.LearningRate, hyperparameters.Momentum,
                weight_decay: hyperparameters.WeightDecay),
        };
    }

    public (Tensor LossSum, Tensor Correct) Step(Tensor pixelBytes, Tensor labels, double learningRate)
    {
        using var scope = NewDisposeScope();
        var pixels = pixelBytes.to_type(float32).div_(255f); // pixels / 255, as the tutorial feeds them
        foreach (var group in optimizer.ParamGroups)
            group.LearningRate = learningRate;
        optimizer.zero_grad();
        var logits = model.forward(pixels);
        var loss = nn.functional.cross_entropy(logits, labels);
        loss.backward();
        optimizer.step();
        var correct = logits.detach().argmax(1).eq(labels).sum();
        return (loss.detach().mul(pixels.shape[0]).MoveToOuterDisposeScope(), correct.MoveToOuterDisposeScope());
    }

    public ModelWeights Export() => model.ToWeights();

    public void Dispose()
    {
        optimizer.Dispose();
        model.Dispose();
    }
}
