using System.Diagnostics;
using FashionApi.Dataset;
using FashionApi.Models;
using FashionApi.Predictions;
using FashionApi.Softmax;
using FashionApi.Hosting;
using Microsoft.Extensions.Options;

namespace FashionApi.OpenInference;

/// <summary>The answer to one inference request: the model that gave it and each image's ten probabilities.</summary>
public sealed record InferenceResult(ServingModel Model, int Count, float[] Probabilities)
{
    /// <summary>The most likely class of image <paramref name="index"/>.</summary>
    public int Label(int index) => SoftmaxClassifier.ArgMax(Probabilities.AsSpan(index * FashionMnist.ClassCount, FashionMnist.ClassCount));
}

/// <summary>Runs a protocol request of either transport: finds the model, turns the one input into pixels and
/// classifies them all in one forward pass, recorded in the same metrics as every other prediction.</summary>
public sealed class InferenceRunner(ServedVersions versions, ImagePreprocessor preprocessor, FashionApiMetrics metrics, IOptions<FashionApiOptions> options)
{
    /// <param name="request">What to classify, with which model.</param>
    /// <param name="http">The request's HTTP context (gRPC's too): its abort token bounds image decoding.</param>
    public InferenceResult Run(InferenceRequest request, HttpContext http)
    {
        var model = versions.Resolve(request.ModelName, request.ModelVersion);
        var mode = InvertModes.Parse(request.Invert); // before any data is looked at, as /predict checks its query first
        if (request.Inputs.Count != 1)
            throw new RequestRejectedException(RejectionReason.InvalidTensor,
                $"The request has {request.Inputs.Count} inputs; send exactly one: '{ModelInputs.Pixels}' (UINT8 or FP32 pixels) or '{ModelInputs.Image}' (BYTES image files).");
        var input = request.Inputs[0];
        float[] pixels = input.Name switch
        {
            ModelInputs.Pixels => ModelInputs.ToUnitPixels(input, options.Value.MaxBatchSize),
            ModelInputs.Image => PrepareImages(input, mode, http),
            _ => throw new RequestRejectedException(RejectionReason.InvalidTensor,
                $"The model has no input '{input.Name}'; send '{ModelInputs.Pixels}' (UINT8 or FP32 pixels) or '{ModelInputs.Image}' (BYTES image files)."),
        };

        int count = pixels.Length / FashionMnist.PixelCount;
        long started = Stopwatch.GetTimestamp();
        float[] probabilities = model.Classifier.Probabilities(pixels);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var result = new InferenceResult(model, count, probabilities);
        Span<int> labels = count <= 256 ? stackalloc int[count] : new int[count];
        for (int i = 0; i < count; i++) labels[i] = result.Label(i);
        metrics.Predicted(labels, elapsed);
        return result;
    }

    /// <summary>Each file through <c>/predict</c>'s own preprocessing, one decoding budget for the whole request.</summary>
    float[] PrepareImages(InputTensor input, InvertMode mode, HttpContext http)
    {
        var files = ModelInputs.ImageFiles(input, options.Value.MaxBatchSize, options.Value.MaxImageBytes);
        var batch = new byte[files.Count * FashionMnist.PixelCount];
        using var budget = DecodingBudget.Start(http.Request, options.Value);
        for (int i = 0; i < files.Count; i++)
        {
            byte[] file = files[i].ToArray(); // the preprocessor takes an array of its own (it may rewrite PNG chunks)
            budget.Run(token => preprocessor.Prepare(file, mode, token)).Pixels.CopyTo(batch, i * FashionMnist.PixelCount);
        }
        return SoftmaxClassifier.ScalePixels(batch);
    }
}
