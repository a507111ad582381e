using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FashionApi.Softmax;

/// <summary>Softmax regression: one linear layer from 784 pixels (scaled to 0–1) to 10 class scores.</summary>
public sealed class SoftmaxRegression : nn.Module<Tensor, Tensor>
{
    readonly Linear linear;

    public SoftmaxRegression() : base(nameof(SoftmaxRegression))
    {
        linear = nn.Linear(ModelWeights.Inputs, ModelWeights.Outputs);
        RegisterComponents();
    }

    /// <summary>Class scores (logits) for a batch of flattened images, shape [n, 784] → [n, 10].</summary>
    public override Tensor forward(Tensor pixels) => linear.forward(pixels);

    public Parameter Weight => linear.weight!;
    public Parameter Bias => linear.bias!;

    public ModelWeights ToWeights() =>
        new(Weight.detach().cpu().data<float>().ToArray(), Bias.detach().cpu().data<float>().ToArray());
}
