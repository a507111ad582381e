namespace FashionApi.Softmax;

/// <summary>What one epoch reached: mean training loss and accuracy over its minibatches (as the tutorial reports
/// them), accuracy on the test set after it, and its wall-clock seconds.</summary>
public sealed record EpochMetrics(int Epoch, double Loss, double TrainAccuracy, double TestAccuracy, double Seconds);

/// <summary>How a model does on the test set: overall, per class (by class name) and as a confusion matrix whose
/// row is the true class and column the predicted one.</summary>
public sealed record Evaluation(double TestAccuracy, IReadOnlyDictionary<string, double> PerClassAccuracy, int[][] ConfusionMatrix);

public sealed record TrainingResult(
    ModelWeights Weights, Hyperparameters Hyperparameters, IReadOnlyList<EpochMetrics> History, Evaluation Evaluation, double Seconds);

/// <summary>Where a training is: epochs and batches are counted from 1 (0 before the first batch). The trainer reports
/// it, and the API shows the last report as a job's <c>progress</c>. <c>CompletedEpoch</c> is the epoch that this
/// batch completed, if any: reported once, then part of the job's history, so not shown with the progress.</summary>
public sealed record TrainingProgress(int Epoch, int Epochs, int Batch, int BatchesPerEpoch,
    [property: System.Text.Json.Serialization.JsonIgnore] EpochMetrics? CompletedEpoch = null)
{
    /// <summary>The share of all batches done, to one decimal.</summary>
    public double Percent => BatchesPerEpoch == 0 ? 0 :
        Math.Round(100.0 * ((Epoch - 1) * BatchesPerEpoch + Batch) / (Epochs * (double)BatchesPerEpoch), 1);

    /// <summary>Before the first batch.</summary>
    public static TrainingProgress NotStarted(int epochs) => new(0, epochs, 0, 0);
}
