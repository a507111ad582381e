using FashionApi.Storage;

namespace FashionApi.Inference;

/// <summary>A saved model version loaded and ready to answer requests.</summary>
public sealed record ServingModel(ModelManifest Manifest, SoftmaxClassifier Classifier);
