using FashionApi.Models;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace FashionApi.OpenInference;

/// <summary>What gRPC's standard health service (<c>grpc.health.v1.Health</c>) reports: serving once a model is loaded,
/// as <c>/health/ready</c> and <c>/v2/health/ready</c> do.</summary>
sealed class ModelLoadedHealthCheck(ActiveModel active) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(active.Current is { } model
            ? HealthCheckResult.Healthy($"Model {model.Manifest.Version} is serving.")
            : HealthCheckResult.Unhealthy("No model loaded yet."));
}
