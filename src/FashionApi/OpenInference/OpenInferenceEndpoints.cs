using FashionApi.Hosting;
using FashionApi.Models;
using FashionApi.Predictions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace FashionApi.OpenInference;

/// <summary>
/// The Open Inference Protocol ("KServe V2") over REST, for the one model this service trains, named
/// <c>OpenInference:ModelName</c>: health, server and model metadata, readiness and inference, with the binary tensor
/// data extension. Every refusal is the usual problem details plus the protocol's <c>error</c> member.
/// </summary>
public static class OpenInferenceEndpoints
{
    /// <summary>What <c>GET /v2</c> reports; the same as gRPC's ServerMetadata.</summary>
    public static ServerMetadata Server { get; } = new("fashionapi",
        typeof(OpenInferenceEndpoints).Assembly.GetName().Version?.ToString(3) ?? "1.0.0", ["binary_tensor_data"]);

    /// <summary>The platform reported in model metadata: this service's own softmax regression weights.</summary>
    public const string Platform = "fashionapi_softmax";

    public static RouteGroupBuilder MapOpenInferenceRest(this IEndpointRouteBuilder routes)
    {
        var v2 = routes.MapGroup("/v2").WithTags("Open Inference Protocol");

        v2.MapGet("", GetServerMetadata)
            .WithName("OipServerMetadata").WithSummary("Server metadata: name, version and extensions (binary_tensor_data)");
        v2.MapGet("/health/live", GetServerLive)
            .WithName("OipServerLive").WithSummary("Server liveness: 200 while the process answers");
        v2.MapGet("/health/ready", GetServerReady)
            .WithName("OipServerReady").WithSummary("Server readiness: 200 once a model is loaded, 503 before");

        // Each model route twice: for the active version, and for a saved one named by /versions/{modelVersion}.
        var model = v2.MapGroup("/models/{modelName}");
        foreach (var (group, suffix) in new[] { (model, ""), (model.MapGroup("/versions/{modelVersion}"), "Version") })
        {
            group.MapGet("", GetModelMetadata)
                .WithName($"OipModel{suffix}Metadata").WithSummary("Model metadata: saved versions, platform, inputs and outputs");
            group.MapGet("/ready", GetModelReady)
                .WithName($"OipModel{suffix}Ready").WithSummary("Model readiness: 200 when it can answer, 503 while no model is loaded");
            group.MapPost("/infer", InferAsync)
                .WithName($"OipModel{suffix}Infer")
                .WithSummary("Classify images: 'pixels' (UINT8 0–255 or FP32 0–1, [N,784], [N,28,28] or [N,1,28,28]) or 'image' (BYTES [N] image files)")
                .WithDescription("An Open Inference Protocol inference request. Outputs: probabilities FP32 [N,10], label INT64 [N], " +
                                 "class_name BYTES [N]. With Inference-Header-Content-Length the body is that many bytes of JSON followed by " +
                                 "binary tensor data ('binary_data_size' on inputs); 'binary_data' on an output or 'binary_data_output' on " +
                                 "the request returns outputs as binary data after the JSON. Parameter 'invert' (auto, true, false) is as for /predict.")
                // No Accepts metadata: routing would then refuse other Content-Types with 415, and protocol clients
                // send JSON as they please (curl -d says form-urlencoded); Inference-Header-Content-Length tells the format.
                .WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes(routes)))
                .RequireRateLimiting(ClientRateLimits.Predictions);
        }
        v2.ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return v2;
    }

    static long MaxBodyBytes(IEndpointRouteBuilder routes) =>
        routes.ServiceProvider.GetRequiredService<IOptions<OpenInferenceOptions>>().Value.MaxRequestBytes;

    static Ok<ServerMetadata> GetServerMetadata() => TypedResults.Ok(Server);

    static Ok<ServerLive> GetServerLive() => TypedResults.Ok(new ServerLive(true));

    static Results<Ok<ServerReady>, JsonHttpResult<ServerReady>> GetServerReady(ActiveModel active) =>
        active.Current is not null
            ? TypedResults.Ok(new ServerReady(true))
            : TypedResults.Json(new ServerReady(false), statusCode: StatusCodes.Status503ServiceUnavailable);

    static Ok<ModelMetadata> GetModelMetadata(string modelName, string? modelVersion, ServedVersions versions) =>
        TypedResults.Ok(Metadata(modelName, modelVersion, versions));

    static Results<Ok<ModelReady>, JsonHttpResult<ModelReady>> GetModelReady(string modelName, string? modelVersion, ServedVersions versions)
    {
        try
        {
            versions.Resolve(modelName, modelVersion);
            return TypedResults.Ok(new ModelReady(versions.ModelName, true));
        }
        catch (ModelNotReadyException)
        {
            return TypedResults.Json(new ModelReady(versions.ModelName, false), statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    static async Task<InferenceHttpResult> InferAsync(string modelName, string? modelVersion, HttpRequest request,
        ServedVersions versions, InferenceRunner runner, IOptions<OpenInferenceOptions> options)
    {
        versions.Resolve(modelName, modelVersion); // an unknown model or version costs no upload
        var body = await PooledBody.ReadAsync(request, options.Value.MaxRequestBytes);
        request.HttpContext.Response.RegisterForDispose(body); // back to the pool once the response is sent
        var inference = RestInferenceParser.Parse(body.Memory, request.Headers[RestInferenceParser.HeaderLengthHeader].FirstOrDefault(),
            modelName, modelVersion);
        return new InferenceHttpResult(runner.Run(inference.Request, request.HttpContext), inference, versions.ModelName);
    }

    public static ModelMetadata Metadata(string modelName, string? modelVersion, ServedVersions versions)
    {
        if (!string.IsNullOrEmpty(modelVersion)) versions.Resolve(modelName, modelVersion); // 404 for an unknown version
        return new ModelMetadata(versions.ModelName, versions.Versions(modelName), Platform,
        [
            new(ModelInputs.Pixels, TensorDatatype.Fp32.Name(), ModelInputs.PixelShapes[0]),
            new(ModelInputs.Image, TensorDatatype.Bytes.Name(), [-1]),
        ], OutputTensors.Metadata);
    }
}
