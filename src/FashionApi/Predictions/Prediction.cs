using FashionApi.Dataset;
using FashionApi.Softmax;

namespace FashionApi.Predictions;

/// <summary>The classification of one image.</summary>
/// <param name="Label">Class index, 0–9.</param>
/// <param name="ClassName">The class's name, e.g. "Ankle boot".</param>
/// <param name="Confidence">Probability of the predicted class.</param>
/// <param name="Probabilities">All ten probabilities, by class name.</param>
/// <param name="ModelVersion">The model version that answered.</param>
/// <param name="Preprocessing">For uploaded images: what was done to make them a 28×28 input.</param>
/// <param name="Input">With <c>?include=input</c>: the 28×28 input exactly as the model saw it, as a PNG data URL.</param>
public sealed record Prediction(
    int Label, string ClassName, float Confidence, IReadOnlyDictionary<string, float> Probabilities, string ModelVersion,
    PreprocessingReport? Preprocessing = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    string? Input = null)
{
    public static Prediction From(ReadOnlySpan<float> probabilities, string modelVersion)
    {
        var byName = new Dictionary<string, float>(FashionMnist.ClassCount);
        for (int c = 0; c < FashionMnist.ClassCount; c++)
            byName[FashionMnist.ClassNames[c]] = probabilities[c];
        int label = SoftmaxClassifier.ArgMax(probabilities);
        return new Prediction(label, FashionMnist.ClassNames[label], probabilities[label], byName, modelVersion);
    }
}
