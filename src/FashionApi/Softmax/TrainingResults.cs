namespace FashionApi.Softmax;

/// <summary>What one epoch reached: mean training loss and accuracy over its minibatches (as the tutorial reports
/// them), accuracy on the test set after it, and its wall-clock seconds.</summary>
public sealed record EpochMetrics(int Epoch, double Loss, double TrainAccuracy, double TestAccuracy, double Seconds);

/// <summary>How a model does on the test set: overall, per class (by class name) and as a confusion matrix whose
/// row is the true class and column the predicted one.</summary>
public sealed record Evaluation(double TestAccuracy, IReadOnlyDictionary<string, double> PerClassAccuracy, int[][] ConfusionMatrix);

public sealed record TrainingResult(
    ModelWeights Weights, Hyperparameters Hyperparameters, IReadOnlyList<EpochMetrics> History, Evaluation Evaluation, double Seconds);

/// <summary>Where a running job is: epochs and batches are counted from 1.</summary>
public sealed record TrainingProgress(int Epoch, int Epochs, int Batch, int BatchesPerEpoch, EpochMetrics? CompletedEpoch)
{
    public double Percent => 100.0 * ((Epoch - 1) * BatchesPerEpoch + Batch) / (Epochs * (double)BatchesPerEpoch);
}
