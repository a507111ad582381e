using FashionApi.Model;
using FashionApi.Tests.Infrastructure;

namespace FashionApi.Tests.Model;

public class TrainingTests
{
    static TrainingResult Train(Hyperparameters hp) => SoftmaxTrainer.Train(TestData.TrainingData, hp);

    [Theory]
    [InlineData(Implementation.Scratch)]
    [InlineData(Implementation.Builtin)]
    public void The_seed_preset_reproduces_the_tutorial_table(Implementation implementation)
    {
        var result = Train(TrainingPresets.Seed with { Implementation = implementation });

        Assert.Equal(5, result.History.Count);
        // Dive into Deep Learning 3.6, epoch 1: loss 0.7846, train acc 0.749, test acc 0.794; epoch 5: 0.4854, 0.836, 0.828.
        var first = result.History[0];
        Assert.InRange(first.Loss, 0.7846 - 0.01, 0.7846 + 0.01);
        Assert.InRange(first.TrainAccuracy, 0.749 - 0.01, 0.749 + 0.01);
        Assert.InRange(first.TestAccuracy, 0.794 - 0.02, 0.794 + 0.02);
        var last = result.History[^1];
        Assert.InRange(last.Loss, 0.4854 - 0.005, 0.4854 + 0.005);
        Assert.InRange(last.TrainAccuracy, 0.836 - 0.005, 0.836 + 0.005);
        Assert.InRange(last.TestAccuracy, 0.828 - 0.005, 0.828 + 0.005);
        Assert.InRange(result.Evaluation.TestAccuracy, 0.828 - 0.005, 0.828 + 0.005);
        for (int i = 1; i < result.History.Count; i++)
            Assert.True(result.History[i].Loss < result.History[i - 1].Loss, $"loss rose at epoch {i + 1}");
    }

    [Fact]
    public void The_default_preset_reaches_at_least_0_845_test_accuracy()
    {
        var result = Train(TrainingPresets.Default);
        Assert.True(result.Evaluation.TestAccuracy >= 0.845, $"test accuracy {result.Evaluation.TestAccuracy:F4}");
    }

    [Theory]
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
    [InlineData(Optimizer.Sgd, 256)]
    [InlineData(Optimizer.Adam, 257)] // 60,000 = 233 × 257 + 119: a last minibatch of odd size, split 59 + 60
    public void Two_threads_give_exactly_the_weights_of_one(Optimizer optimizer, int batchSize)
    {
        var hp = TrainingPresets.Seed with { Optimizer = optimizer, LearningRate = optimizer == Optimizer.Adam ? 0.01 : 0.1, BatchSize = batchSize, Epochs = 1 };
        var one = SoftmaxTrainer.Train(TestData.TrainingData, hp, threads: 1);
        var two = SoftmaxTrainer.Train(TestData.TrainingData, hp, threads: 2);
        Assert.Equal(one.Weights.Weight, two.Weights.Weight);
        Assert.Equal(one.Weights.Bias, two.Weights.Bias);
        Assert.Equal(one.History[0].Loss, two.History[0].Loss);
        Assert.True(two.Evaluation.TestAccuracy > 0.75, $"test accuracy {two.Evaluation.TestAccuracy:F4}");
    }

    [Theory]
    [InlineData(Implementation.Scratch, Optimizer.Sgd, 0.9)]
    [InlineData(Implementation.Scratch, Optimizer.Adam, 0.0)]
    [InlineData(Implementation.Builtin, Optimizer.Sgd, 0.9)]
    [InlineData(Implementation.Builtin, Optimizer.Adam, 0.0)]
    public void Every_optimizer_learns(Implementation implementation, Optimizer optimizer, double momentum)
    {
        var result = Train(TrainingPresets.Seed with
        {
            Implementation = implementation, Optimizer = optimizer, Momentum = momentum, Epochs = 2,
            LearningRate = optimizer == Optimizer.Adam ? 0.01 : 0.05, WeightDecay = 1e-4, Shuffle = true, Schedule = Schedule.Cosine,
        });
        Assert.True(result.Evaluation.TestAccuracy > 0.80, $"{implementation}/{optimizer}: {result.Evaluation.TestAccuracy:F4}");
    }

    [Theory]
    [InlineData(Optimizer.Adam, 0.01, 0.0, 0.0)]
    [InlineData(Optimizer.Sgd, 0.05, 0.9, 1e-3)]
    [InlineData(Optimizer.Sgd, 0.1, 0.0, 0.0)]
    public void The_hand_written_updates_match_torch_optim(Optimizer optimizer, double learningRate, double momentum, double weightDecay)
    {
        var hp = TrainingPresets.Seed with { Optimizer = optimizer, LearningRate = learningRate, Momentum = momentum, WeightDecay = weightDecay, Epochs = 1 };
        var scratch = Train(hp with { Implementation = Implementation.Scratch });
        var builtin = Train(hp with { Implementation = Implementation.Builtin });

        // Same initial weights (same seed), same algorithm: the two differ only by float rounding.
        float largest = scratch.Weights.Weight.Zip(builtin.Weights.Weight).Max(p => Math.Abs(p.First - p.Second));
        Assert.True(largest < 1e-5f, $"weights differ by up to {largest}");
        Assert.Equal(builtin.History[0].Loss, scratch.History[0].Loss, 1e-6);
        Assert.Equal(builtin.Evaluation.TestAccuracy, scratch.Evaluation.TestAccuracy);
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
        Assert.Contains("scratch, builtin", errors["implementation"][0]);
        Assert.Empty(TrainingPresets.Seed.Validate());
        Assert.Empty(TrainingPresets.Default.Validate());
    }
}
