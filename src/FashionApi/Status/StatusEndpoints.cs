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
        health.MapGet("/ready", Results<Ok<Health>, JsonHttpResult<Health>> (ActiveModel active) =>
                active.Current is { } model
                    ? TypedResults.Ok(new Health("Healthy", $"Model {model.Manifest.Version} is serving."))
                    : TypedResults.Json(new Health("Unhealthy", "No model loaded yet."), statusCode: StatusCodes.Status503ServiceUnavailable))
            .WithName("Ready")
            .WithSummary("Readiness: 200 once a model is loaded and predictions can be answered, 503 before");
        return routes;
    }
}

/// <summary>GET /status. <c>Role</c> says what this instance does: all, serve or train; <c>ServingSince</c> when this
/// instance switched to the model it serves (replicas switch a moment after the trainer activates one).</summary>
public sealed record ServiceStatus(InstanceRole Role, bool ModelReady, string? ModelVersion, DateTimeOffset? ServingSince, double? TestAccuracy, RunningJob? Training);
public sealed record RunningJob(string Id, JobProgress Progress);
public sealed record Health(string Status, string Detail);
