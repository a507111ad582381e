using FashionApi.Dataset;
using FashionApi.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FashionApi.Samples;

/// <summary><c>/samples</c>: the test set with the active model's predictions, filtered and paged, and each image.
/// Refusals are thrown and answered by <see cref="RequestRejections"/>.</summary>
public static class SampleEndpoints
{
    public const int MaxPageSize = 500;

    public static IEndpointRouteBuilder MapSamples(this IEndpointRouteBuilder routes)
    {
        var samples = routes.MapGroup("/samples").WithTags("Samples")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        samples.MapGet("", ListSamples)
            .WithName("ListSamples")
            .WithSummary("Test-set images with their true label and the active model's prediction, filtered and paged")
            .WithDescription("Filters combine: trueLabel and predictedLabel (class numbers 0–9; both together give one cell of " +
                             "the confusion matrix), mistakes=true for wrongly classified images only. page counts from 1; " +
                             $"pageSize is 1–{MaxPageSize} (60 by default). Images are at /samples/{{index}}.png.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        samples.MapGet("/classes", ListClasses)
            .WithName("ListClasses")
            .WithSummary("The ten class names; a label is its name's index (0 T-shirt/top … 9 Ankle boot)");
        samples.MapGet("/{index}.png", GetSampleImage)
            .WithName("GetSampleImage")
            .WithSummary("One test-set image as a 28×28 grayscale PNG (cacheable for good)")
            .Produces(StatusCodes.Status200OK, typeof(Stream), "image/png")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return routes;
    }

    static async Task<Ok<SamplePage>> ListSamples(int? trueLabel, int? predictedLabel, bool? mistakes, int? page, int? pageSize,
        TestSetSamples samples, CancellationToken cancellationToken)
    {
        CheckLabel(trueLabel, nameof(trueLabel));
        CheckLabel(predictedLabel, nameof(predictedLabel));
        int size = pageSize ?? 60, number = page ?? 1;
        if (size is < 1 or > MaxPageSize)
            throw new RequestRejectedException(RejectionReason.InvalidParameter, $"pageSize={size} is out of range; use 1–{MaxPageSize}.");
        if (number < 1)
            throw new RequestRejectedException(RejectionReason.InvalidParameter, $"page={number} is out of range; pages are counted from 1.");
        var predictions = await WithTestSet(() => samples.GetPredictionsAsync(cancellationToken));

        var matching = Enumerable.Range(0, predictions.Labels.Length).Where(i =>
            (trueLabel is null || predictions.TrueLabels[i] == trueLabel) &&
            (predictedLabel is null || predictions.Labels[i] == predictedLabel) &&
            (mistakes != true || predictions.TrueLabels[i] != predictions.Labels[i])).ToList();
        long skip = (long)(number - 1) * size; // a page far past the end is empty, never an overflow
        var items = matching.Skip((int)Math.Min(skip, int.MaxValue)).Take(size).Select(i => new Sample(i,
            predictions.TrueLabels[i], FashionMnist.ClassNames[predictions.TrueLabels[i]],
            predictions.Labels[i], FashionMnist.ClassNames[predictions.Labels[i]],
            predictions.Confidences[i], predictions.TrueLabels[i] == predictions.Labels[i])).ToList();
        return TypedResults.Ok(new SamplePage(predictions.Model.Manifest.Version, matching.Count, number, size,
            Math.Max(1, (matching.Count + size - 1) / size), items));
    }

    static Ok<IReadOnlyList<string>> ListClasses() => TypedResults.Ok(FashionMnist.ClassNames);

    static async Task<FileContentHttpResult> GetSampleImage(int index, TestSetSamples samples, HttpContext context,
        CancellationToken cancellationToken)
    {
        var test = await WithTestSet(() => samples.GetTestSetAsync(cancellationToken));
        if (index < 0 || index >= test.Count)
            throw new RequestRejectedException(RejectionReason.UnknownSample, $"Test image {index} does not exist; indexes are 0–{test.Count - 1}.",
                StatusCodes.Status404NotFound) { Title = "Unknown sample" };
        // The test set never changes: browsers may keep each image for good.
        context.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
        return TypedResults.File(GrayscalePng.Encode(test.Image(index)), "image/png");
    }

    static void CheckLabel(int? label, string name)
    {
        if (label is < 0 or >= FashionMnist.ClassCount)
            throw new RequestRejectedException(RejectionReason.InvalidParameter, $"{name}={label} is not a class; use 0–{FashionMnist.ClassCount - 1} " +
                                               $"({string.Join(", ", FashionMnist.ClassNames.Select((n, i) => $"{i} {n}"))}).");
    }

    /// <summary>Runs <paramref name="read"/>; a test set that is not on this server is a 503 refusal.</summary>
    static async Task<T> WithTestSet<T>(Func<Task<T>> read)
    {
        try
        {
            return await read();
        }
        catch (DatasetUnavailableException e)
        {
            throw new RequestRejectedException(RejectionReason.DatasetUnavailable,
                "The Fashion-MNIST test set is not available on this server (see the log for where it was looked for); " +
                "install the package dataset-fashion-mnist or set FashionApi:DataDirectory.",
                StatusCodes.Status503ServiceUnavailable, e) { Title = "Test set unavailable" };
        }
    }
}

/// <summary>One page of test-set samples: <c>modelVersion</c> made the predictions, <c>total</c> samples match the
/// filters over all <c>pages</c>.</summary>
public sealed record SamplePage(string ModelVersion, int Total, int Page, int PageSize, int Pages, IReadOnlyList<Sample> Items);

/// <summary>A test image: its index (its image is /samples/{index}.png), true class, and the active model's prediction.</summary>
public sealed record Sample(int Index, int TrueLabel, string TrueClass, int PredictedLabel, string PredictedClass, float Confidence, bool Correct);
