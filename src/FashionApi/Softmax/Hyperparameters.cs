namespace FashionApi.Softmax;

/// <summary>Everything that decides how a model is trained. Same values and seed → same weights.</summary>
public sealed record Hyperparameters(
    Implementation Implementation,
    int Epochs,
    double LearningRate,
    int BatchSize,
    Optimizer Optimizer,
    double Momentum,
    double WeightDecay,
    bool Shuffle,
    long Seed,
    Schedule Schedule)
{
    /// <summary>Smaller minibatches add nothing to a linear model's accuracy but make every epoch thousands of steps
    /// (batch 1 is 60,000 steps an epoch), which let one request keep the trainer busy for hours.</summary>
    public const int MinBatchSize = 16;

    /// <summary>Field name → problems, empty when the values can be trained with.</summary>
    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        void Check(bool ok, string field, string message)
        {
            if (!ok) errors[field] = [message];
        }

        Check(Enum.IsDefined(Implementation), "implementation", $"must be one of: {CamelCaseEnumConverter.AcceptedNames<Implementation>()}.");
        Check(Epochs is >= 1 and <= 500, "epochs", "must be between 1 and 500.");
        Check(double.IsFinite(LearningRate) && LearningRate is > 0 and <= 10, "learningRate", "must be greater than 0 and at most 10.");
        Check(BatchSize is >= MinBatchSize and <= 60_000, "batchSize", $"must be between {MinBatchSize} and 60000.");
        Check(Enum.IsDefined(Optimizer), "optimizer", $"must be one of: {CamelCaseEnumConverter.AcceptedNames<Optimizer>()}.");
        Check(double.IsFinite(Momentum) && Momentum is >= 0 and < 1, "momentum", "must be at least 0 and below 1.");
        Check(Momentum == 0 || Optimizer == Optimizer.Sgd, "momentum", "applies to the sgd optimizer only; leave it 0 for adam.");
        Check(double.IsFinite(WeightDecay) && WeightDecay is >= 0 and <= 1, "weightDecay", "must be between 0 and 1.");
        Check(Seed >= 0, "seed", "must not be negative.");
        Check(Enum.IsDefined(Schedule), "schedule", $"must be one of: {CamelCaseEnumConverter.AcceptedNames<Schedule>()}.");
        return errors;
    }
}
