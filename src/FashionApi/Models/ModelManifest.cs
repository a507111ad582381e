using FashionApi.Softmax;

namespace FashionApi.Models;

/// <summary>Everything known about one saved model version; stored beside its weights as manifest.json.</summary>
public sealed record ModelManifest(
    string Version,
    Implementation Implementation,
    Hyperparameters Hyperparameters,
    IReadOnlyList<EpochMetrics> History,
    Evaluation Evaluation,
    DateTimeOffset CreatedAt,
    double TrainingSeconds,
    string DatasetSha256,
    string WeightsSha256,
    string? JobId,
    string? Preset = null,
    ActivationPolicy? Activation = null);
