using System.Text.Json.Serialization;

namespace FashionApi.Softmax;

/// <summary>Which code fits the model; all three give the same weights for the same settings.</summary>
[JsonConverter(typeof(CamelCaseEnumConverter))]
public enum Implementation
{
    /// <summary>The chapter's from-scratch version (3.6), written to be read next to the book:
    /// <see cref="ScratchSoftmaxRegression"/>.</summary>
    Scratch,

    /// <summary>The same algorithm as <c>scratch</c>, arranged for speed: <see cref="FusedSoftmaxRegression"/>. The
    /// presets use it.</summary>
    Fused,

    /// <summary>The chapter's concise version (3.7): <c>nn.Linear</c>, the library's cross-entropy, <c>torch.optim</c>.</summary>
    Builtin,
}

[JsonConverter(typeof(CamelCaseEnumConverter))]
public enum Optimizer
{
    /// <summary>Minibatch stochastic gradient descent, with optional momentum.</summary>
    Sgd,
    Adam,
}

/// <summary>How the learning rate changes over a job.</summary>
[JsonConverter(typeof(CamelCaseEnumConverter))]
public enum Schedule
{
    Constant,

    /// <summary>Annealed from the base rate towards 0 along half a cosine over all steps.</summary>
    Cosine,
}
