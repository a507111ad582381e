using FashionApi.Hosting;
using FashionApi.Predictions;
using FashionApi.Softmax;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FashionApi.Models;

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
                return TypedResults.Ok(store.List().Select(m => new SavedModel(m.Version, m.Version == current, m.Evaluation.TestAccuracy,
                    m.Implementation, m.Preset, m.CreatedAt, m.JobId, m.Activation)).ToList());
            })
            .WithName("ListModels")
            .WithSummary("Saved model versions, newest first: test accuracy, implementation, preset, created time, whether active");

        group.MapGet("/models/{version}", Results<Ok<ModelManifest>, ProblemHttpResult> (string version, ModelStore store) =>
            {
                try
                {
                    return TypedResults.Ok(store.Manifest(version));
                }
                catch (FileNotFoundException)
                {
                    return VersionProblems.Unknown(version);
                }
                catch (Exception e) when (VersionProblems.IsDamage(e))
                {
                    return VersionProblems.Damaged(version, e);
                }
            })
            .WithName("GetModel")
            .WithSummary("One saved version's whole manifest: hyperparameters, preset, activation policy, history, evaluation, checksums");

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
                    return VersionProblems.Unknown(version);
                }
                catch (StoreBusyException e)
                {
                    return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Model store busy");
                }
                catch (Exception e) when (VersionProblems.IsDamage(e))
                {
                    return VersionProblems.Damaged(version, e);
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

/// <summary>One saved version, as listed by <c>GET /models</c>. <c>Preset</c> and <c>Activation</c> (the policy of the
/// job that made it) are null for versions saved before they were recorded.</summary>
public sealed record SavedModel(string Version, bool Active, double TestAccuracy, Implementation Implementation, string? Preset,
    DateTimeOffset CreatedAt, string? JobId, ActivationPolicy? Activation);
