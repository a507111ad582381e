using FashionApi.Softmax;
using FashionApi.Tests.Infrastructure;

namespace FashionApi.Tests.Softmax;

public class TrainingTests
{
    static TrainingResult Train(Hyperparameters hp) => SoftmaxTrainer.Train(TestData.TrainingData, hp);

    [Fact]
    public void The_seed_preset_reproduces_the_books_table()
    {
        var result = TestData.SeedModel; // the seed preset, as the service trains it (fused)

        Assert.Equal(Implementation.Fused, result.Hyperparameters.Implementation);
        Assert.Equal(5, result.History.Count);
        // Dive into Deep Learning 3.6, epoch 1: loss 0.7846, train acc 0.749, test acc 0.794; epoch 5: 0.4854, 0.836, 0.828.
        var first = result.History[0];
        Assert.InRange(first.Loss, 0.7846 - 0.01, 0.7846 + 0.01);
        Assert.InRange(first.TrainAccuracy, 0.749 - 0.01, 0.749 + 0.01);
        Assert.InRange(first.TestAccuracy, 0.794 - 0.02, 0.794 + 0.02);
        var last = result.History[^1];
        Assert.Equal(0.4854, Math.Round(last.Loss, 4));
        Assert.Equal(0.836, Math.Round(last.TrainAccuracy, 3));
        Assert.InRange(last.TestAccuracy, 0.828 - 0.002, 0.828 + 0.002);
        Assert.Equal(last.TestAccuracy, result.Evaluation.TestAccuracy);
        for (int i = 1; i < result.History.Count; i++)
            Assert.True(result.History[i].Loss < result.History[i - 1].Loss, $"loss rose at epoch {i + 1}");
    }

    [Fact]
    public void The_default_preset_keeps_a_median_test_accuracy_of_at_least_0_847_over_seeds_0_to_4()
    {
        var accuracies = Enumerable.Range(0, 5)
            .Select(seed => Train(TrainingPresets.Default with { Seed = seed }).Evaluation.TestAccuracy).Order().ToList();
        Assert.True(accuracies[2] >= 0.847, $"test accuracies {string.Join(", ", accuracies.Select(a => a.ToString("F4")))}");
    }

    /// <summary>The three implementations are one algorithm: from the same seed they reach the same weights, to float
    /// rounding, for every optimizer, in file or shuffled order, whatever the schedule, and with a last minibatch
    /// smaller than the others (60,000 = 233 × 257 + 119 and 234 × 256 + 96).</summary>
    [Theory]
    [InlineData(Optimizer.Sgd, 0.1, 0.0, 0.0, false, Schedule.Constant, 256)] // the book's settings
    [InlineData(Optimizer.Sgd, 0.1, 0.0, 0.0, true, Schedule.Constant, 257)]
    [InlineData(Optimizer.Sgd, 0.05, 0.9, 1e-3, false, Schedule.Cosine, 257)]
    [InlineData(Optimizer.Sgd, 0.05, 0.9, 0.0, true, Schedule.Constant, 256)]
    [InlineData(Optimizer.Adam, 0.01, 0.0, 0.0, false, Schedule.Constant, 257)]
    [InlineData(Optimizer.Adam, 0.01, 0.0, 1e-4, true, Schedule.Cosine, 256)]
    public void Fused_scratch_and_builtin_give_the_same_weights(Optimizer optimizer, double learningRate, double momentum,
        double weightDecay, bool shuffle, Schedule schedule, int batchSize)
    {
        var hp = TrainingPresets.Seed with
        {
            Optimizer = optimizer, LearningRate = learningRate, Momentum = momentum, WeightDecay = weightDecay,
            Shuffle = shuffle, Schedule = schedule, BatchSize = batchSize, Epochs = 1, Seed = 3,
        };
        var fused = Train(hp with { Implementation = Implementation.Fused });
        Assert.True(fused.Evaluation.TestAccuracy > 0.75, $"test accuracy {fused.Evaluation.TestAccuracy:F4}");
        foreach (var other in new[] { Implementation.Scratch, Implementation.Builtin })
        {
            var result = Train(hp with { Implementation = other });
            float weights = LargestDifference(fused.Weights.Weight, result.Weights.Weight);
            float biases = LargestDifference(fused.Weights.Bias, result.Weights.Bias);
            Assert.True(weights < 1e-5f && biases < 1e-5f, $"{other} differs from fused by up to {weights} (weights), {biases} (biases)");
            Assert.Equal(fused.History[0].Loss, result.History[0].Loss, 1e-5);
            Assert.Equal(fused.History[0].TrainAccuracy, result.History[0].TrainAccuracy, 1e-3);
            Assert.Equal(fused.Evaluation.TestAccuracy, result.Evaluation.TestAccuracy, 1e-3);
        }
    }

    static float LargestDifference(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        return a.Zip(b).Max(p => Math.Abs(p.First - p.Second));
    }

    [Theory]
    [InlineData(Implementation.Fused)]
    [InlineData(Implementation.Scratch)]
    [InlineData(Implementation.Builtin)]
    public void Same_seed_gives_the_same_weights_and_another_seed_does_not(Implementation implementation)
    {
        var hp = TrainingPresets.Seed with { Implementation = implementation, Epochs = 1, Shuffle = true, Seed = 7 };
        var a = Train(hp).Weights;
        var b = Train(hp).Weights;
        var c = Train(hp with { Seed = 8 }).Weights;
        Assert.Equal(a.Weight, b.Weight);
        Assert.Equal(a.Bias, b.Bias);
        Assert.NotEqual(a.Weight, c.Weight);
    }

    [Theory]
    [InlineData(Optimizer.Sgd, 0.9)]
    [InlineData(Optimizer.Adam, 0.0)]
    public void Every_optimizer_learns(Optimizer optimizer, double momentum)
    {
        var result = Train(TrainingPresets.Seed with
        {
            Optimizer = optimizer, Momentum = momentum, Epochs = 2,
            LearningRate = optimizer == Optimizer.Adam ? 0.01 : 0.05, WeightDecay = 1e-4, Shuffle = true, Schedule = Schedule.Cosine,
        });
        Assert.True(result.Evaluation.TestAccuracy > 0.80, $"{optimizer}: {result.Evaluation.TestAccuracy:F4}");
    }

    [Fact]
    public void The_scratch_pieces_compute_what_the_book_says()
    {
        using var scores = TorchSharp.torch.tensor(new float[] { 1, 2, 3, 1000, 1000, 1000 }, [2, 3]);
        using var probabilities = ScratchSoftmaxRegression.Softmax(scores);
        float e = MathF.Exp(1), sum = e + e * e + e * e * e;
        Assert.Equal([e / sum, e * e / sum, e * e * e / sum, 1f / 3, 1f / 3, 1f / 3], probabilities.data<float>().ToArray(),
            (x, y) => Math.Abs(x - y) < 1e-6); // no overflow at 1000: the row maximum is subtracted first

        using var labels = TorchSharp.torch.tensor(new long[] { 2, 0 });
        using var loss = ScratchSoftmaxRegression.CrossEntropy(probabilities, labels);
        Assert.Equal([-MathF.Log(e * e * e / sum), MathF.Log(3)], loss.data<float>().ToArray(), (x, y) => Math.Abs(x - y) < 1e-6);
        using var certain = TorchSharp.torch.tensor(new float[] { 0, 1 }, [1, 2]);
        using var wrongClass = TorchSharp.torch.tensor(new long[] { 0 });
        using var finite = ScratchSoftmaxRegression.CrossEntropy(certain, wrongClass);
        Assert.InRange(finite.item<float>(), 100f, 105f); // −log(0) would be infinite, and the epoch's mean loss with it
        using var correct = ScratchSoftmaxRegression.Accuracy(probabilities, labels);
        Assert.Equal(2, correct.item<long>()); // a tie goes to the first class, as argmax does
    }

    [Fact]
    public void The_final_evaluation_has_a_consistent_confusion_matrix_and_per_class_accuracy()
    {
        var evaluation = TestData.SeedModel.Evaluation;
        Assert.Equal(10, evaluation.ConfusionMatrix.Length);
        Assert.All(evaluation.ConfusionMatrix, row => Assert.Equal(1000, row.Sum()));
        Assert.Equal(10, evaluation.PerClassAccuracy.Count);
        Assert.Equal(evaluation.ConfusionMatrix[1][1] / 1000.0, evaluation.PerClassAccuracy["Trouser"]);
        Assert.Equal(evaluation.PerClassAccuracy.Values.Average(), evaluation.TestAccuracy, precision: 10);
        Assert.True(evaluation.PerClassAccuracy["Shirt"] < evaluation.PerClassAccuracy["Trouser"], "shirts are the hardest class");
    }

    [Fact]
    public void Cancellation_stops_training_promptly()
    {
        using var cancellation = new CancellationTokenSource();
        int batches = 0;
        Assert.ThrowsAny<OperationCanceledException>(() => SoftmaxTrainer.Train(TestData.TrainingData,
            TrainingPresets.Seed with { Epochs = 100 }, _ => { if (++batches == 10) cancellation.Cancel(); }, cancellation.Token));
        Assert.InRange(batches, 10, 11);
    }

    [Fact]
    public void Invalid_hyperparameters_are_reported_by_field()
    {
        var errors = (TrainingPresets.Default with
        {
            Implementation = (Implementation)42, Epochs = 0, LearningRate = double.NaN, BatchSize = 0, Optimizer = (Optimizer)42,
            WeightDecay = -1, Seed = -1, Schedule = (Schedule)42,
        }).Validate();
        Assert.Equal(["batchSize", "epochs", "implementation", "learningRate", "optimizer", "schedule", "seed", "weightDecay"], errors.Keys.Order());
        Assert.Contains("scratch, fused, builtin", errors["implementation"][0]);
        Assert.Empty(TrainingPresets.Seed.Validate());
        Assert.Empty(TrainingPresets.Default.Validate());
    }
}
