using FashionApi.Dataset;
using static TorchSharp.torch;

namespace FashionApi.Model;

/// <summary>
/// Fashion-MNIST as libtorch tensors, made once and shared, read-only, by every training job: the training images stay
/// bytes (47 MB; each minibatch is scaled to floats as it is used), the smaller test set is scaled once. Making them
/// per job cost about 50 ms of copying and page faults, a sixth of a tutorial-sized run.
/// </summary>
public sealed class TrainingData : IDisposable
{
    public TrainingData(FashionMnist dataset)
    {
        Dataset = dataset;
        using var scope = NewDisposeScope();
        TrainPixels = tensor(dataset.Train.Pixels, [dataset.Train.Count, FashionMnist.PixelCount]).MoveToOuterDisposeScope();
        TrainLabels = tensor(dataset.Train.Labels).to_type(int64).MoveToOuterDisposeScope();
        TestPixels = Scale(tensor(dataset.Test.Pixels, [dataset.Test.Count, FashionMnist.PixelCount])).MoveToOuterDisposeScope();
        TestLabels = tensor(dataset.Test.Labels).to_type(int64).MoveToOuterDisposeScope();
    }

    public FashionMnist Dataset { get; }
    public Tensor TrainPixels { get; }
    public Tensor TrainLabels { get; }
    public Tensor TestPixels { get; }
    public Tensor TestLabels { get; }

    /// <summary>Pixels / 255, as the tutorial feeds them.</summary>
    public static Tensor Scale(Tensor bytes) => bytes.to_type(float32).div_(255f);

    public void Dispose()
    {
        TrainPixels.Dispose();
        TrainLabels.Dispose();
        TestPixels.Dispose();
        TestLabels.Dispose();
    }
}
