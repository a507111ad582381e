using FashionApi.Inference;
using FashionApi.Training;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace FashionApi.Endpoints;

/// <summary><c>GET /status</c> for people, <c>/health/live</c> and <c>/health/ready</c> for orchestrators.</summary>
public static class StatusEndpoints
{
    public const string ReadyTag = "ready";

    public static IEndpointRouteBuilder MapStatus(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/status", (ActiveModel active, TrainingJobQueue queue) =>
            {
                var model = active.Current?.Manifest;
                var running = queue.Running?.Snapshot();
                return TypedResults.Ok(new ServiceStatus(model is not null, model?.Version, model?.Evaluation.TestAccuracy,
                    running is null ? null : new RunningJob(running.Id, running.Progress)));
            })
            .WithTags("Status")
            .WithName("GetStatus")
            .WithSummary("At a glance: is a model ready, which one and how accurate, and what is training now");

        routes.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).WithTags("Status");
        routes.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) }).WithTags("Status");
        return routes;
    }
}

public sealed record ServiceStatus(bool ModelReady, string? ModelVersion, double? TestAccuracy, RunningJob? Training);
public sealed record RunningJob(string Id, JobProgress Progress);

/// <summary>Ready once a model is loaded and predictions can be answered.</summary>
public sealed class ModelReadyHealthCheck(ActiveModel active) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(active.Current is { } model
            ? HealthCheckResult.Healthy($"Model {model.Manifest.Version} is serving.")
            : HealthCheckResult.Unhealthy("No model loaded yet."));
}
