using FashionApi.Dataset;
using FashionApi.Softmax;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FashionApi.Models;

/// <summary><c>GET /models/{version}/weights</c>: what a saved linear model learned, in a form a page can draw.</summary>
public static class ModelWeightsEndpoints
{
    /// <summary>Part of the <c>/models</c> route table (<see cref="ModelEndpoints"/>).</summary>
    internal static RouteHandlerBuilder MapModelWeights(this RouteGroupBuilder models) =>
        models.MapGet("/models/{version}/weights", GetModelWeights)
            .WithName("GetModelWeights")
            .WithSummary("A saved version's weights: for each class, 784 weights (a 28×28 image, row-major) and a bias")
            .WithDescription("Class c's score is weights[c]·x + bias[c] over the image's pixels scaled to 0–1. Drawn as a " +
                             "28×28 image, positive weights show the pixels that speak for the class, negative ones against it.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

    static Ok<ModelWeightsView> GetModelWeights(string version, ModelStore store, HttpContext context)
    {
        var weights = VersionProblems.Guard(version, store.Load).Weights;
        // A version's weights never change once saved (its name is new for every training).
        context.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
        var rows = Enumerable.Range(0, ModelWeights.Outputs)
            .Select(c => weights.Weight.AsSpan(c * ModelWeights.Inputs, ModelWeights.Inputs).ToArray()).ToList();
        return TypedResults.Ok(new ModelWeightsView(version, FashionMnist.ClassNames, rows, weights.Bias));
    }
}

/// <summary>A version's parameters by class: <c>weights[c]</c> is class c's 784 weights (28×28, row-major), in the
/// order of <c>classes</c>, and <c>bias[c]</c> its bias.</summary>
public sealed record ModelWeightsView(string Version, IReadOnlyList<string> Classes, IReadOnlyList<float[]> Weights, float[] Bias);
