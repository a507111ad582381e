using System.Diagnostics;
using static TorchSharp.torch;

namespace FashionApi.Model;

/// <summary>The training loop shared by both implementations: minibatches in file or shuffled order, the learning-rate
/// schedule, and metrics after every epoch (the last epoch's evaluation is the model's). Runs synchronously on the
/// calling thread, helped by a second one if asked.</summary>
public static class SoftmaxTrainer
{
    /// <summary>Trains one model. <paramref name="threads"/> is 1, or 2 to run the <c>scratch</c> implementation's
    /// matrix products on two threads at once (see <see cref="ParallelPair"/>); the weights are the same either way.
    /// Sets libtorch's thread count for the calling thread to one, and leaves it so.</summary>
    public static TrainingResult Train(TrainingData data, Hyperparameters hp, Action<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default, int threads = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(hp.Epochs, 1);
        var clock = Stopwatch.StartNew();
        // libtorch's own thread pool is per calling thread and measured slower than one thread at these sizes (its
        // OpenMP workers wake and wait for every tiny operation), so each thread that trains uses exactly one.
        set_num_threads(1);
        using var pair = new ParallelPair(threads, onHelperStart: () => set_num_threads(1));
        using var scope = NewDisposeScope();
        using var generator = new Generator((ulong)hp.Seed);
        var (trainBytes, trainY) = (data.TrainPixels, data.TrainLabels);
        using var implementation = ISoftmaxImplementation.Create(hp, generator, pair);

        int n = data.Dataset.Train.Count;
        int batches = (n + hp.BatchSize - 1) / hp.BatchSize;
        long totalSteps = (long)batches * hp.Epochs;
        var history = new List<EpochMetrics>();
        long step = 0;
        ModelWeights? weights = null;
        Evaluation? evaluation = null;
        for (int epoch = 1; epoch <= hp.Epochs; epoch++)
        {
            var epochClock = Stopwatch.StartNew();
            using var epochScope = NewDisposeScope();
            var order = hp.Shuffle ? randperm(n, generator: generator) : null;
            var lossSum = zeros(1, dtype: float64);
            var misclassified = zeros(1, dtype: int64);
            for (int batch = 0; batch < batches; batch++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var batchScope = NewDisposeScope();
                int start = batch * hp.BatchSize, size = Math.Min(hp.BatchSize, n - start);
                Tensor x, y;
                if (order is null)
                {
                    x = trainBytes.narrow(0, start, size);
                    y = trainY.narrow(0, start, size);
                }
                else
                {
                    var indices = order.narrow(0, start, size);
                    x = trainBytes.index_select(0, indices);
                    y = trainY.index_select(0, indices);
                }
                var (batchLoss, batchMisclassified) = implementation.Step(x, y, LearningRate(hp, step++, totalSteps));
                lossSum.add_(batchLoss);
                misclassified.add_(batchMisclassified);
                progress?.Invoke(new TrainingProgress(epoch, hp.Epochs, batch + 1, batches, null));
            }

            // Scored by the serving forward pass, so each epoch's test accuracy is what that model would serve.
            weights = implementation.Export();
            evaluation = ModelEvaluator.Evaluate(weights, data.Dataset.Test);
            var metrics = new EpochMetrics(
                epoch,
                Loss: lossSum.item<double>() / n,
                TrainAccuracy: 1 - misclassified.item<long>() / (double)n,
                TestAccuracy: evaluation.TestAccuracy,
                Seconds: epochClock.Elapsed.TotalSeconds);
            history.Add(metrics);
            progress?.Invoke(new TrainingProgress(epoch, hp.Epochs, batches, batches, metrics));
        }

        return new TrainingResult(weights!, hp, history, evaluation!, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Constant, or cosine-annealed from the base rate towards 0 over all steps.</summary>
    static double LearningRate(Hyperparameters hp, long step, long totalSteps) => hp.Schedule switch
    {
        Schedule.Cosine => hp.LearningRate * 0.5 * (1 + Math.Cos(Math.PI * step / totalSteps)),
        _ => hp.LearningRate,
    };
}
