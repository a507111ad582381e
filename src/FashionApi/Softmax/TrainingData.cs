using FashionApi.Dataset;
using static TorchSharp.torch;

namespace FashionApi.Softmax;

/// <summary>
/// The Fashion-MNIST training set as libtorch tensors, made once and shared, read-only, by every training job. The
/// images stay bytes (47 MB; each minibatch is converted as it is used). Making them per job cost about 50 ms of
/// copying and page faults, a sixth of a tutorial-sized run. The test set is scored by <see cref="ModelEvaluator"/>
/// straight from the dataset's bytes.
/// </summary>
public sealed class TrainingData : IDisposable
{
    public TrainingData(FashionMnist dataset)
    {
        Dataset = dataset;
        using var scope = NewDisposeScope();
        TrainPixels = tensor(dataset.Train.Pixels, [dataset.Train.Count, FashionMnist.PixelCount]).MoveToOuterDisposeScope();
        TrainLabels = tensor(dataset.Train.Labels).to_type(int64).MoveToOuterDisposeScope();
    }

    public FashionMnist Dataset { get; }
    public Tensor TrainPixels { get; }
    public Tensor TrainLabels { get; }

    public void Dispose()
    {
        TrainPixels.Dispose();
        TrainLabels.Dispose();
    }
}
