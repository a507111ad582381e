using FashionApi.Softmax;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FashionApi.Models;

/// <summary><c>GET /models/{version}/onnx</c>: a saved version as an ONNX model, for other runtimes to load.</summary>
public static class ModelOnnxEndpoints
{
    /// <summary>Part of the <c>/models</c> route table (<see cref="ModelEndpoints"/>).</summary>
    internal static RouteHandlerBuilder MapModelOnnx(this RouteGroupBuilder models) =>
        models.MapGet("/models/{version}/onnx", GetModelOnnx)
            .WithName("GetModelOnnx")
            .WithSummary("A saved version as an ONNX model (opset 13): input 'pixels' float32 [N,784] in 0–1, output 'probabilities' float32 [N,10]")
            .WithDescription("probabilities = Softmax(pixels·Wᵀ + b) over each row, the service's own computation: pixels are a " +
                             "28×28 grayscale image, row-major, each byte divided by 255; N is free. The model's metadata_props " +
                             "hold version, classes (a JSON array, in output order), test_accuracy, implementation, preset, " +
                             "created_at, input_scaling and the dataset's and weights' SHA-256. Any ONNX runtime loads it, " +
                             "e.g. onnxruntime.InferenceSession(path).")
            .Produces(StatusCodes.Status200OK, typeof(Stream), OnnxExport.ContentType)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

    static FileContentHttpResult GetModelOnnx(string version, ModelStore store, HttpContext context)
    {
        var (manifest, weights) = VersionProblems.Guard(version, store.Load);
        // A version never changes once saved (its name is new for every training), so neither does its export.
        context.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
        return TypedResults.File(OnnxExport.Serialize(manifest, weights), OnnxExport.ContentType, OnnxExport.FileName(manifest.Version));
    }
}
