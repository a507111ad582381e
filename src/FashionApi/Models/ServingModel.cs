using FashionApi.Softmax;

namespace FashionApi.Models;

/// <summary>A saved model version loaded and ready to answer requests.</summary>
public sealed record ServingModel(ModelManifest Manifest, SoftmaxClassifier Classifier)
{
    /// <summary>When this instance loaded it, moments before it started serving it.</summary>
    public DateTimeOffset LoadedAt { get; } = DateTimeOffset.UtcNow;
}
