using FashionApi.Dataset;
using FashionApi.Models;
using FashionApi.Predictions;
using FashionApi.Softmax;

namespace FashionApi.Samples;

/// <summary>
/// The 10,000 Fashion-MNIST test images and how the active model classifies each, for browsing. Only the test split
/// is read (with the managed IDX reader: no libtorch, nothing of the training set). Predictions are made once per
/// active model, through the same forward pass that serves requests, and kept until another model becomes active.
/// </summary>
public sealed class TestSetSamples(DatasetLocator locator, ActiveModel activeModel, ILogger<TestSetSamples> logger)
{
    readonly SemaphoreSlim loading = new(1, 1);
    readonly Lock predicting = new();
    FashionMnistSplit? test;
    bool reportedMissing;
    TestSetPredictions? predictions;

    /// <summary>The test split, read on first use from a local copy.</summary>
    /// <exception cref="DatasetUnavailableException">No local copy of the dataset exists.</exception>
    public async Task<FashionMnistSplit> GetTestSetAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref test) is { } loaded) return loaded;
        await loading.WaitAsync(cancellationToken);
        try
        {
            if (test is null)
            {
                // Browsing never downloads: a request must not start minutes of transfer from the internet (a serve
                // replica may have no dataset at all). Training is what fetches the dataset when it is missing.
                if (locator.FindLocalCopy() is not { } directory)
                {
                    var missing = locator.NotFound(".");
                    if (!reportedMissing) logger.LogWarning("Test-set browsing is unavailable: {Reason}", missing.Message);
                    reportedMissing = true;
                    throw missing;
                }
                var split = await Task.Run(() => FashionMnist.LoadTest(directory), cancellationToken);
                logger.LogInformation("Fashion-MNIST test set loaded for browsing: {Count:N0} images from {Directory}", split.Count, directory);
                Volatile.Write(ref test, split);
            }
            return test;
        }
        finally
        {
            loading.Release();
        }
    }

    /// <summary>The active model's prediction for every test image.</summary>
    /// <exception cref="ModelNotReadyException">No model is active.</exception>
    public async Task<TestSetPredictions> GetPredictionsAsync(CancellationToken cancellationToken)
    {
        var model = activeModel.Current ?? throw new ModelNotReadyException();
        if (Volatile.Read(ref predictions) is { } cached && ReferenceEquals(cached.Model, model)) return cached;
        var split = await GetTestSetAsync(cancellationToken);
        lock (predicting) // one computation per model, however many requests ask at once
        {
            if (predictions is { } done && ReferenceEquals(done.Model, model)) return done;
            var computed = TestSetPredictions.Compute(model, split);
            Volatile.Write(ref predictions, computed);
            logger.LogDebug("Test-set predictions computed for model {Version}", model.Manifest.Version);
            return computed;
        }
    }
}

/// <summary>One model's predicted label and its probability for each test image, by index.</summary>
public sealed record TestSetPredictions(ServingModel Model, byte[] TrueLabels, byte[] Labels, float[] Confidences)
{
    const int Chunk = 500; // images scored per pass: small buffers, however large the split

    public static TestSetPredictions Compute(ServingModel model, FashionMnistSplit split)
    {
        var labels = new byte[split.Count];
        var confidences = new float[split.Count];
        var scaled = new float[Chunk * FashionMnist.PixelCount];
        for (int start = 0; start < split.Count; start += Chunk)
        {
            int count = Math.Min(Chunk, split.Count - start);
            var pixels = split.Pixels.AsSpan(start * FashionMnist.PixelCount, count * FashionMnist.PixelCount);
            SoftmaxClassifier.ScalePixels(pixels, scaled);
            float[] probabilities = model.Classifier.Probabilities(scaled.AsSpan(0, pixels.Length));
            for (int i = 0; i < count; i++)
            {
                var row = probabilities.AsSpan(i * FashionMnist.ClassCount, FashionMnist.ClassCount);
                int label = SoftmaxClassifier.ArgMax(row);
                labels[start + i] = (byte)label;
                confidences[start + i] = row[label];
            }
        }
        return new TestSetPredictions(model, split.Labels, labels, confidences);
    }
}
