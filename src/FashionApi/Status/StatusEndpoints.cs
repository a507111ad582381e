using FashionApi.Hosting;
using FashionApi.Models;
using FashionApi.Softmax;
using FashionApi.Training;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace FashionApi.Status;

/// <summary><c>GET /status</c> for people, <c>/health/live</c> and <c>/health/ready</c> for orchestrators. The health
/// answers come from the registered <see cref="IHealthCheck"/>s (readiness: those tagged <see cref="ReadyTag"/>), as
/// documented routes with the same small JSON body as ever.</summary>
public static class StatusEndpoints
{
    /// <summary>The tag of the checks that decide readiness; liveness runs none (the process answering is the test).</summary>
    public const string ReadyTag = "ready";

    public static IHealthChecksBuilder AddStatusHealthChecks(this IServiceCollection services) =>
        services.AddHealthChecks()
            .AddCheck<ModelServingHealthCheck>(ModelServingHealthCheck.Name, tags: [ReadyTag])
            .AddCheck<StoreWritableHealthCheck>(StoreWritableHealthCheck.Name, tags: [ReadyTag]);

    public static IEndpointRouteBuilder MapStatus(this IEndpointRouteBuilder routes)
    {
        var status = routes.MapGroup("").WithTags("Status");

        status.MapGet("/status", GetStatus)
            .WithName("GetStatus")
            .WithSummary("At a glance: is a model ready, which one and how accurate, and what is training now");

        var health = status.MapGroup("/health");
        health.MapGet("/live", Live)
            .WithName("Live")
            .WithSummary("Liveness: the process answers HTTP");
        health.MapGet("/ready", Ready)
            .WithName("Ready")
            .WithSummary("Readiness: 503 until this instance can do its job (serve: a model is loaded; train: the store is writable; all: both)")
            .WithDescription("A trainer (Role train) is ready on an empty store, so POST /train reaches it through its Service; " +
                             "an instance that trains is not ready while its model store cannot be written, and says why.");
        return routes;
    }

    static Ok<ServiceStatus> GetStatus(ActiveModel active, TrainingJobQueue queue, IOptions<FashionApiOptions> options)
    {
        var serving = active.Current;
        var model = serving?.Manifest;
        var running = queue.Running?.Snapshot();
        return TypedResults.Ok(new ServiceStatus(options.Value.Role, model is not null, model?.Version, serving?.LoadedAt, model?.Evaluation.TestAccuracy,
            running is null ? null : new RunningJob(running.Id, running.Progress)));
    }

    static Ok<Health> Live() => TypedResults.Ok(new Health("Healthy", "The process is up."));

    static async Task<Results<Ok<Health>, JsonHttpResult<Health>>> Ready(HealthCheckService checks, CancellationToken cancellationToken)
    {
        var report = await checks.CheckHealthAsync(check => check.Tags.Contains(ReadyTag), cancellationToken);
        var health = new Health(report.Status.ToString(), string.Join(" ", report.Entries.Values.Select(e => e.Description)));
        return report.Status == HealthStatus.Healthy
            ? TypedResults.Ok(health)
            : TypedResults.Json(health, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}

/// <summary>GET /status. <c>Role</c> says what this instance does: all, serve or train; <c>ServingSince</c> when this
/// instance switched to the model it serves (replicas switch a moment after the trainer activates one).</summary>
public sealed record ServiceStatus(InstanceRole Role, bool ModelReady, string? ModelVersion, DateTimeOffset? ServingSince, double? TestAccuracy, RunningJob? Training);
public sealed record RunningJob(string Id, TrainingProgress Progress);
public sealed record Health(string Status, string Detail);
