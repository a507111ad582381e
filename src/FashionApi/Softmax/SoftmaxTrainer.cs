using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace FashionApi.Softmax;

/// <summary>The training loop shared by all three implementations, as the book shares its <c>train_ch3</c> (the loop
/// over epochs, <see cref="Train"/>) and <c>train_epoch_ch3</c> (one pass over the minibatches,
/// <see cref="TrainEpoch"/>) between sections 3.6 and 3.7. Added to the book's loop: minibatches in file or shuffled
/// order, the learning-rate schedule, progress, cancellation, and each epoch's test accuracy scored by the serving
/// forward pass (the last epoch's evaluation is the model's). Runs synchronously on the calling thread.</summary>
public static class SoftmaxTrainer
{
    /// <summary>Trains one model (the book's <c>train_ch3</c>). Sets libtorch's thread count for the calling thread to
    /// one, and leaves it so.</summary>
    public static TrainingResult Train(TrainingData data, Hyperparameters hp, Action<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(hp.Epochs, 1);
        var clock = Stopwatch.StartNew();
        // libtorch's own thread pool was measured slower than one thread at these sizes (its workers wake and wait for
        // every tiny operation), so training uses exactly one (see README, "Training time").
        set_num_threads(1);
        using var generator = new Generator((ulong)hp.Seed);
        using var net = ISoftmaxImplementation.Create(hp, generator);
        var run = new Run(data, hp, generator, progress, cancellationToken);

        var history = new List<EpochMetrics>();
        ModelWeights? weights = null;
        Evaluation? evaluation = null;
        for (int epoch = 1; epoch <= hp.Epochs; epoch++)
        {
            var epochClock = Stopwatch.StartNew();
            var (loss, trainAccuracy) = TrainEpoch(net, run, epoch);
            // Scored by the serving forward pass, so each epoch's test accuracy is what that model would serve.
            weights = net.Export();
            evaluation = ModelEvaluator.Evaluate(weights, data.Dataset.Test);
            var metrics = new EpochMetrics(epoch, loss, trainAccuracy, evaluation.TestAccuracy, epochClock.Elapsed.TotalSeconds);
            history.Add(metrics);
            progress?.Invoke(new TrainingProgress(epoch, hp.Epochs, run.Batches, run.Batches, metrics));
        }

        return new TrainingResult(weights!, hp, history, evaluation!, clock.Elapsed.TotalSeconds);
    }

    /// <summary>One pass over the training set in minibatches (the book's <c>train_epoch_ch3</c>): the mean loss and
    /// the training accuracy, both measured on each minibatch before its update.</summary>
    static (double Loss, double Accuracy) TrainEpoch(ISoftmaxImplementation net, Run run, int epoch)
    {
        using var scope = NewDisposeScope();
        var order = run.Hp.Shuffle ? randperm(run.N, generator: run.Generator) : null;
        var lossSum = zeros(1, dtype: float64);
        var correct = zeros(1, dtype: int64);
        // add_(tensor) would pass an implicit alpha of 1, a Scalar that TorchSharp frees only in a finalizer, which a
        // garbage collection can run while libtorch still reads it (see FusedSoftmaxRegression); so the 1 is explicit.
        using Scalar one = 1;
        for (int batch = 0; batch < run.Batches; batch++)
        {
            run.CancellationToken.ThrowIfCancellationRequested();
            using var batchScope = NewDisposeScope();
            var (X, y) = run.Minibatch(batch, order);
            var (l, batchCorrect) = net.Step(X, y, run.LearningRate(epoch, batch));
            lossSum.add_(l, alpha: one);
            correct.add_(batchCorrect, alpha: one);
            run.Progress?.Invoke(new TrainingProgress(epoch, run.Hp.Epochs, batch + 1, run.Batches, null));
        }
        return (lossSum.item<double>() / run.N, correct.item<long>() / (double)run.N);
    }

    /// <summary>What every epoch of one training run shares: the data, the settings, the random generator.</summary>
    sealed record Run(TrainingData Data, Hyperparameters Hp, Generator Generator, Action<TrainingProgress>? Progress,
        CancellationToken CancellationToken)
    {
        public int N { get; } = Data.Dataset.Train.Count;
        public int Batches => (N + Hp.BatchSize - 1) / Hp.BatchSize;

        /// <summary>The images (bytes) and labels of minibatch <paramref name="batch"/>, in file order or in the
        /// epoch's shuffled <paramref name="order"/>.</summary>
        public (Tensor X, Tensor y) Minibatch(int batch, Tensor? order)
        {
            int start = batch * Hp.BatchSize, size = Math.Min(Hp.BatchSize, N - start);
            if (order is null)
                return (Data.TrainPixels.narrow(0, start, size), Data.TrainLabels.narrow(0, start, size));
            var indices = order.narrow(0, start, size);
            return (Data.TrainPixels.index_select(0, indices), Data.TrainLabels.index_select(0, indices));
        }

        /// <summary>Constant, or cosine-annealed from the base rate towards 0 over all steps.</summary>
        public double LearningRate(int epoch, int batch)
        {
            long step = (long)(epoch - 1) * Batches + batch, totalSteps = (long)Batches * Hp.Epochs;
            return Hp.Schedule switch
            {
                Schedule.Cosine => Hp.LearningRate * 0.5 * (1 + Math.Cos(Math.PI * step / totalSteps)),
                _ => Hp.LearningRate,
            };
        }
    }
}
