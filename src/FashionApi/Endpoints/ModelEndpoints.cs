using FashionApi.Inference;
using FashionApi.Infrastructure;
using FashionApi.Model;
using FashionApi.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FashionApi.Endpoints;

/// <summary><c>/model</c> and <c>/models</c>: the active model, the saved versions, and rolling back.</summary>
public static class ModelEndpoints
{
    public static IEndpointRouteBuilder MapModels(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("").WithTags("Models");

        group.MapGet("/model", (ActiveModel active) =>
                TypedResults.Ok(active.Current?.Manifest ?? throw new ModelNotReadyException()))
            .WithName("GetActiveModel")
            .WithSummary("The active model: version, implementation, hyperparameters, history, test accuracy, per-class accuracy, confusion matrix")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapGet("/models", (ModelStore store, ActiveModel active) =>
            {
                string? current = active.Current?.Manifest.Version;
                return TypedResults.Ok(store.List().Select(m => new SavedModel(m.Version, m.Version == current, m.Implementation,
                    m.CreatedAt, m.Evaluation.TestAccuracy, m.JobId)).ToList());
            })
            .WithName("ListModels")
            .WithSummary("Saved model versions, newest first");

        group.MapPost("/models/{version}/activate", Results<Ok<ModelManifest>, ProblemHttpResult> (
                string version, ActiveModel active, ILogger<ActiveModel> logger) =>
            {
                try
                {
                    var manifest = active.ActivateSaved(version);
                    logger.LogInformation("Model {Version} activated on request", version);
                    return TypedResults.Ok(manifest);
                }
                catch (FileNotFoundException)
                {
                    return TypedResults.Problem($"No saved model version '{version}'. GET /models lists them.",
                        statusCode: StatusCodes.Status404NotFound, title: "Unknown model version");
                }
                catch (StoreBusyException e)
                {
                    return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Model store busy");
                }
                catch (Exception e) when (e is InvalidDataException or System.Text.Json.JsonException or IOException)
                {
                    return TypedResults.Problem($"Model version '{version}' is damaged and cannot be served: {e.Message}",
                        statusCode: StatusCodes.Status409Conflict, title: "Damaged model version");
                }
            })
            .RequireApiKey()
            .RequireRateLimiting(ClientRateLimits.Management)
            .RequireTrainingRole()
            .WithName("ActivateModel")
            .WithSummary("Make a saved version the active model (roll back or forward)");

        return routes;
    }
}

/// <summary>One saved version, as listed by <c>GET /models</c>.</summary>
public sealed record SavedModel(string Version, bool Active, Implementation Implementation, DateTimeOffset CreatedAt, double TestAccuracy, string? JobId);
