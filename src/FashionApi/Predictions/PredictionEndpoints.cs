using FashionApi.Dataset;
using FashionApi.Hosting;
using FashionApi.Samples;
using FashionApi.Softmax;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace FashionApi.Predictions;

/// <summary><c>POST /predict</c> and <c>POST /predict/batch</c>. Each takes images as a multipart upload, a raw image
/// body (single only) or JSON pixel arrays, told apart by Content-Type.</summary>
public static class PredictionEndpoints
{
    static readonly string SingleAccepted = "multipart/form-data with the file in field 'image', a raw image body (" +
                                            string.Join(", ", AcceptedImageFormats.MediaTypes) + "), or application/json {\"pixels\": [784 numbers]}";
    const string BatchAccepted = "multipart/form-data with the files in field 'images', or application/json {\"instances\": [[784 numbers], ...]}";

    public static RouteGroupBuilder MapPredictions(this IEndpointRouteBuilder routes)
    {
        var limits = routes.ServiceProvider.GetRequiredService<IOptions<FashionApiOptions>>().Value;
        var predict = routes.MapGroup("/predict").WithTags("Predict")
            .RequireRateLimiting(ClientRateLimits.Predictions)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        predict.MapPost("", Predict)
            .WithMetadata(new PredictRequestBodyMetadata(Batch: false), new RequestSizeLimitAttribute(RequestBodies.MaxRequestBytes(limits, 1)))
            .WithName("Predict")
            .WithSummary("Classify one clothing image")
            .WithDescription("Send " + SingleAccepted + ". A 28×28 8-bit grayscale image (light garment on black, like " +
                             "Fashion-MNIST) is used pixel for pixel. Other sizes and colour images are converted to grayscale and " +
                             "fitted into 28×28 keeping the aspect ratio, centred; a light background is inverted when invert=auto " +
                             "(the default), invert=true/false forces it. The response says what was done. JSON pixels are 0–255, " +
                             "or 0–1 when no value exceeds 1. include=input adds 'input': the 28×28 image the model saw, as a PNG data URL.");
        predict.MapPost("/batch", PredictBatch)
            .WithMetadata(new PredictRequestBodyMetadata(Batch: true),
                new RequestSizeLimitAttribute(RequestBodies.MaxRequestBytes(limits, limits.MaxBatchSize)))
            .WithName("PredictBatch")
            .WithSummary("Classify many images in one forward pass; results in input order")
            .WithDescription("Send " + BatchAccepted + ". Images are prepared as for POST /predict.");

        return predict;
    }

    static async Task<Ok<Prediction>> Predict(HttpRequest request, [FromQuery] string? invert, [FromQuery] string? include,
        ImagePreprocessor preprocessor, ModelPredictor predictor, IOptions<FashionApiOptions> options)
    {
        // Query parameters are checked before the body is read: a mistake in them costs no upload.
        var mode = InvertModes.Parse(invert);
        bool wantsInput = PredictionIncludes.WantsInput(include);
        if (request.HasJsonContentType())
        {
            var body = await RequestBodies.ReadJsonAsync<PixelsRequest>(request, RequestBodies.MaxJsonBytes(1));
            var unit = PixelsRequest.ToUnitRange(body.Pixels, "pixels");
            return TypedResults.Ok(predictor.Predict(unit)[0] with
            {
                Input = wantsInput ? GrayscalePng.DataUrl(PixelsRequest.ToBytes(unit)) : null,
            });
        }
        byte[] encoded;
        if (request.HasFormContentType)
        {
            await using var files = RequestBodies.ReadMultipartFilesAsync(request, "image", options.Value.MaxImageBytes, 1,
                request.HttpContext.RequestAborted).GetAsyncEnumerator();
            await files.MoveNextAsync(); // throws when there is no file; a second one is never read
            encoded = files.Current;
        }
        else if (RequestBodies.IsImage(request))
            encoded = await RequestBodies.ReadRawImageAsync(request, options.Value.MaxImageBytes);
        else
            throw RequestBodies.Unsupported(request, SingleAccepted);

        using var budget = DecodingBudget.Start(request, options.Value);
        var prepared = budget.Run(token => preprocessor.Prepare(encoded, mode, token));
        return TypedResults.Ok(predictor.Predict(prepared.Pixels)[0] with
        {
            Preprocessing = prepared.Preprocessing,
            Input = wantsInput ? GrayscalePng.DataUrl(prepared.Pixels) : null,
        });
    }

    static async Task<Ok<IReadOnlyList<Prediction>>> PredictBatch(HttpRequest request, [FromQuery] string? invert,
        ImagePreprocessor preprocessor, ModelPredictor predictor, IOptions<FashionApiOptions> options)
    {
        var mode = InvertModes.Parse(invert);
        int limit = options.Value.MaxBatchSize;
        if (request.HasJsonContentType())
        {
            var body = await RequestBodies.ReadJsonAsync<BatchPixelsRequest>(request, RequestBodies.MaxJsonBytes(limit));
            var instances = body.Instances ?? throw new RequestRejectedException(RejectionReason.InvalidPixels,
                "'instances' is required: an array of images, each 784 numbers.");
            CheckBatchSize(instances.Length, limit, "instances");
            var pixels = new float[instances.Length * FashionMnist.PixelCount];
            for (int i = 0; i < instances.Length; i++)
                PixelsRequest.ToUnitRange(instances[i], $"instances[{i}]").CopyTo(pixels, i * FashionMnist.PixelCount);
            return TypedResults.Ok(predictor.Predict(pixels));
        }
        if (!request.HasFormContentType) throw RequestBodies.Unsupported(request, BatchAccepted);

        // Each image is decoded as it arrives, so only one encoded image is in memory at a time.
        using var budget = DecodingBudget.Start(request, options.Value);
        var prepared = new List<PreparedImage>();
        await foreach (var file in RequestBodies.ReadMultipartFilesAsync(request, "images", options.Value.MaxImageBytes, limit,
                           request.HttpContext.RequestAborted))
            prepared.Add(budget.Run(token => preprocessor.Prepare(file, mode, token)));
        var batch = new byte[prepared.Count * FashionMnist.PixelCount];
        for (int i = 0; i < prepared.Count; i++)
            prepared[i].Pixels.CopyTo(batch, i * FashionMnist.PixelCount);
        var predictions = predictor.Predict(batch);
        return TypedResults.Ok<IReadOnlyList<Prediction>>(
            predictions.Select((p, i) => p with { Preprocessing = prepared[i].Preprocessing }).ToList());
    }

    static void CheckBatchSize(int count, int limit, string field)
    {
        if (count == 0)
            throw new RequestRejectedException(RejectionReason.InvalidPixels, $"'{field}' holds no images.");
        if (count > limit)
            throw new RequestRejectedException(RejectionReason.BatchTooLarge, $"'{field}' holds {count} images; at most {limit} are accepted per batch.",
                StatusCodes.Status413PayloadTooLarge);
    }
}

/// <summary>Tells the OpenAPI document which bodies a prediction endpoint accepts (one handler reads several types).</summary>
public sealed record PredictRequestBodyMetadata(bool Batch);

/// <summary>One image as 784 numbers, row-major 28×28, light garment on black.</summary>
/// <param name="Pixels">784 values: 0–255, or 0–1 floats when no value exceeds 1.</param>
public sealed record PixelsRequest(float[]? Pixels)
{
    /// <summary>Validates one image's values and scales them to the model's 0–1 range.</summary>
    public static float[] ToUnitRange(float[]? values, string field)
    {
        if (values is null)
            throw new RequestRejectedException(RejectionReason.InvalidPixels, $"'{field}' is required: {FashionMnist.PixelCount} numbers (28×28, row-major).");
        if (values.Length != FashionMnist.PixelCount)
            throw new RequestRejectedException(RejectionReason.InvalidPixels, $"'{field}' has {values.Length} values; expected {FashionMnist.PixelCount} (28×28).");
        int bad = Array.FindIndex(values, v => !float.IsFinite(v) || v < 0 || v > 255);
        if (bad >= 0)
            throw new RequestRejectedException(RejectionReason.InvalidPixels, $"'{field}[{bad}]' is {values[bad]}; values must be 0–255 (or 0–1).");
        return values.All(v => v <= 1f) ? (float[])values.Clone() : values.Select(v => v / 255f).ToArray();
    }

    /// <summary>Unit-range pixels back as 0–255 bytes, as an uploaded image's pixels are.</summary>
    public static byte[] ToBytes(float[] unit) => unit.Select(v => (byte)MathF.Round(v * 255)).ToArray();
}

/// <summary>Many images as arrays of 784 numbers.</summary>
/// <param name="Instances">Each 784 values, as for a single image's 'pixels'.</param>
public sealed record BatchPixelsRequest(float[][]? Instances);
