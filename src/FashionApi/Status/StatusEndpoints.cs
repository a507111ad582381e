using FashionApi.Hosting;
using FashionApi.Models;
using FashionApi.Softmax;
using FashionApi.Training;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace FashionApi.Status;

/// <summary><c>GET /status</c> for people, <c>/health/live</c> and <c>/health/ready</c> for orchestrators.</summary>
public static class StatusEndpoints
{
    public static IEndpointRouteBuilder MapStatus(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/status", (ActiveModel active, TrainingJobQueue queue, IOptions<FashionApiOptions> options) =>
            {
                var serving = active.Current;
                var model = serving?.Manifest;
                var running = queue.Running?.Snapshot();
                return TypedResults.Ok(new ServiceStatus(options.Value.Role, model is not null, model?.Version, serving?.LoadedAt, model?.Evaluation.TestAccuracy,
                    running is null ? null : new RunningJob(running.Id, running.Progress)));
            })
            .WithTags("Status")
            .WithName("GetStatus")
            .WithSummary("At a glance: is a model ready, which one and how accurate, and what is training now");

        var health = routes.MapGroup("/health").WithTags("Status");
        health.MapGet("/live", () => TypedResults.Ok(new Health("Healthy", "The process is up.")))
            .WithName("Live")
            .WithSummary("Liveness: the process answers HTTP");
        health.MapGet("/ready", Results<Ok<Health>, JsonHttpResult<Health>> (ActiveModel active, ModelStore store, IOptions<FashionApiOptions> options) =>
                Readiness(options.Value.Role, active.Current, store.WriteProblem) is { } problem
                    ? TypedResults.Json(new Health("Unhealthy", problem), statusCode: StatusCodes.Status503ServiceUnavailable)
                    : TypedResults.Ok(new Health("Healthy", active.Current is { } model ? $"Model {model.Manifest.Version} is serving." : "Ready to train (no model yet).")))
            .WithName("Ready")
            .WithSummary("Readiness: 503 until this instance can do its job (serve: a model is loaded; train: the store is writable; all: both)")
            .WithDescription("A trainer (Role train) is ready on an empty store, so POST /train reaches it through its Service; " +
                             "an instance that trains is not ready while its model store cannot be written, and says why.");
        return routes;
    }

    /// <summary>Why an instance of <paramref name="role"/> is not ready, or null when it is.</summary>
    static string? Readiness(InstanceRole role, ServingModel? serving, string? writeProblem) => role switch
    {
        _ when role.Trains() && writeProblem is not null => $"The model store cannot be written: {writeProblem}",
        InstanceRole.Train => null,
        _ => serving is null ? "No model loaded yet." : null,
    };
}

/// <summary>GET /status. <c>Role</c> says what this instance does: all, serve or train; <c>ServingSince</c> when this
/// instance switched to the model it serves (replicas switch a moment after the trainer activates one).</summary>
public sealed record ServiceStatus(InstanceRole Role, bool ModelReady, string? ModelVersion, DateTimeOffset? ServingSince, double? TestAccuracy, RunningJob? Training);
public sealed record RunningJob(string Id, JobProgress Progress);
public sealed record Health(string Status, string Detail);
