using System.Diagnostics;
using FashionApi.Dataset;
using FashionApi.Hosting;
using FashionApi.Models;
using FashionApi.Softmax;

namespace FashionApi.Predictions;

/// <summary>Classifies images with whatever model is active, in one forward pass per call. Thread-safe.</summary>
public sealed class ModelPredictor(ActiveModel activeModel, FashionApiMetrics metrics)
{
    /// <summary>Classifies <c>pixels.Length / 784</c> images laid back to back, values 0–1.</summary>
    /// <exception cref="ModelNotReadyException">No model has been loaded or trained yet.</exception>
    public IReadOnlyList<Prediction> Predict(float[] pixels)
    {
        int count = pixels.Length / FashionMnist.PixelCount;
        var model = activeModel.Current ?? throw new ModelNotReadyException();
        long started = Stopwatch.GetTimestamp();
        float[] probabilities = model.Classifier.Probabilities(pixels);
        var elapsed = Stopwatch.GetElapsedTime(started);
        string version = model.Manifest.Version;
        var predictions = new Prediction[count];
        Span<int> labels = count <= 256 ? stackalloc int[count] : new int[count];
        for (int i = 0; i < count; i++)
        {
            predictions[i] = Prediction.From(probabilities.AsSpan(i * FashionMnist.ClassCount, FashionMnist.ClassCount), version);
            labels[i] = predictions[i].Label;
        }
        metrics.Predicted(labels, elapsed);
        return predictions;
    }

    /// <summary>Classifies images given as raw bytes, the dataset's own form.</summary>
    public IReadOnlyList<Prediction> Predict(ReadOnlySpan<byte> pixels)
    {
        return Predict(SoftmaxClassifier.ScalePixels(pixels));
    }
}

/// <summary>No model is loaded yet (the first training is still running, or none was asked for): a 503 with
/// <c>Retry-After</c>, since the first training takes seconds.</summary>
public sealed class ModelNotReadyException : RequestRejectedException
{
    public ModelNotReadyException() : base(RejectionReason.ModelNotReady,
        "No model is ready yet: the first training is still running or has not been started.", StatusCodes.Status503ServiceUnavailable)
    {
        Title = "Model not ready";
        RetryAfter = TimeSpan.FromSeconds(10);
    }
}
