using FashionApi.Models;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace FashionApi.Status;

/// <summary>Readiness: healthy once a model is loaded, so predictions can be answered.</summary>
public sealed class ModelServingHealthCheck(ActiveModel active) : IHealthCheck
{
    public const string Name = "model";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(active.Current is { } model
            ? HealthCheckResult.Healthy($"Model {model.Manifest.Version} is serving.")
            : HealthCheckResult.Unhealthy("No model loaded yet."));
}
