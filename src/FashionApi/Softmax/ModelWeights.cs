using FashionApi.Dataset;

namespace FashionApi.Softmax;

/// <summary>
/// The trained parameters of softmax regression in the layout of <c>nn.Linear</c>: <see cref="Weight"/> is
/// 10 rows (one per class) of 784 columns, row-major; <see cref="Bias"/> has 10 entries. Both implementations export
/// this, so the saved format does not depend on which one trained the model.
/// </summary>
public sealed record ModelWeights(float[] Weight, float[] Bias)
{
    public const int Inputs = FashionMnist.PixelCount;
    public const int Outputs = FashionMnist.ClassCount;

    public ModelWeights Validate()
    {
        if (Weight.Length != Inputs * Outputs || Bias.Length != Outputs)
            throw new InvalidDataException($"weights must be {Outputs}×{Inputs} and bias {Outputs}; got {Weight.Length} and {Bias.Length} values.");
        if (!Weight.All(float.IsFinite) || !Bias.All(float.IsFinite))
            throw new InvalidDataException("weights contain NaN or infinity.");
        return this;
    }
}
