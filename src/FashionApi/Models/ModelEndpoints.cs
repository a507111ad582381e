using FashionApi.Hosting;
using FashionApi.Predictions;
using FashionApi.Softmax;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FashionApi.Models;

/// <summary><c>/model</c> and <c>/models</c>: the active model, the saved versions, their weights, and rolling back.
/// Refusals (unknown or damaged version, store busy, no model yet) are thrown and answered by
/// <see cref="RequestRejections"/>.</summary>
public static class ModelEndpoints
{
    public static IEndpointRouteBuilder MapModels(this IEndpointRouteBuilder routes)
    {
        var models = routes.MapGroup("").WithTags("Models");

        models.MapGet("/model", GetActiveModel)
            .WithName("GetActiveModel")
            .WithSummary("The active model: version, implementation, hyperparameters, history, test accuracy, per-class accuracy, confusion matrix")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        models.MapGet("/models", ListModels)
            .WithName("ListModels")
            .WithSummary("Saved model versions, newest first: test accuracy, implementation, preset, hyperparameters, created time, " +
                         "training time, weights checksum, whether active")
            .WithDescription("Everything a list of versions shows, in one request; GET /models/{version} adds the per-epoch history, " +
                             "the confusion matrix and per-class accuracy. Versions with equal weightsSha256 have identical weights.");
        models.MapGet("/models/{version}", GetModel)
            .WithName("GetModel")
            .WithSummary("One saved version's whole manifest: hyperparameters, preset, activation policy, history, evaluation, checksums")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        models.MapModelWeights();
        models.MapModelOnnx();

        var manage = models.MapGroup("").RequireManagement();
        manage.MapPost("/models/{version}/activate", ActivateModel)
            .WithName("ActivateModel")
            .WithSummary("Make a saved version the active model (roll back or forward)")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        return routes;
    }

    static Ok<ModelManifest> GetActiveModel(ActiveModel active) =>
        TypedResults.Ok(active.Current?.Manifest ?? throw new ModelNotReadyException());

    static Ok<List<SavedModel>> ListModels(ModelStore store, ActiveModel active)
    {
        string? current = active.Current?.Manifest.Version;
        return TypedResults.Ok(store.List().Select(m => new SavedModel(m.Version, m.Version == current, m.Evaluation.TestAccuracy,
            m.Implementation, m.Preset, m.CreatedAt, m.JobId, m.Activation, m.Hyperparameters, m.TrainingSeconds, m.WeightsSha256)).ToList());
    }

    static Ok<ModelManifest> GetModel(string version, ModelStore store) =>
        TypedResults.Ok(VersionProblems.Guard(version, store.Manifest));

    static async Task<Ok<ModelManifest>> ActivateModel(string version, ModelActivation activation, CancellationToken cancellationToken) =>
        TypedResults.Ok(await VersionProblems.GuardAsync(version, v => activation.ActivateSavedAsync(v, cancellationToken)));
}

/// <summary>One saved version, as listed by <c>GET /models</c>: what a list of versions shows, so that no client needs
/// one more request per version. <c>Preset</c> and <c>Activation</c> (the policy of the job that made it) are null for
/// versions saved before they were recorded. <c>Hyperparameters</c> are the settings it was trained with,
/// <c>TrainingSeconds</c> how long that took, and <c>WeightsSha256</c> the checksum of its weights file: equal for
/// versions with identical weights (two runs of the deterministic seed preset, say).</summary>
public sealed record SavedModel(string Version, bool Active, double TestAccuracy, Implementation Implementation, string? Preset,
    DateTimeOffset CreatedAt, string? JobId, ActivationPolicy? Activation, Hyperparameters Hyperparameters, double TrainingSeconds,
    string WeightsSha256);
