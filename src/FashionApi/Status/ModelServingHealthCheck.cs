using FashionApi.Models;
using FashionApi.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace FashionApi.Status;

/// <summary>Readiness: healthy once a model is loaded, so predictions can be answered. The one trainer of a scaled-out
/// setup (Role train) is ready without one: on an empty store, POST /train must reach it through its Service.</summary>
public sealed class ModelServingHealthCheck(ActiveModel active, IOptions<FashionApiOptions> options) : IHealthCheck
{
    public const string Name = "model";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(active.Current is { } model
            ? HealthCheckResult.Healthy($"Model {model.Manifest.Version} is serving.")
            : options.Value.Role == InstanceRole.Train
                ? HealthCheckResult.Healthy("No model yet; ready to train (POST /train).")
                : HealthCheckResult.Unhealthy("No model loaded yet."));
}
