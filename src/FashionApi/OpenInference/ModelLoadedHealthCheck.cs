using FashionApi.Models;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace FashionApi.OpenInference;

/// <summary>What gRPC's health service reports for <c>inference.GRPCInferenceService</c>: serving once a model is
/// loaded, whatever the role, as ServerReady and <c>/v2/health/ready</c> say. (The whole service's readiness, gRPC's
/// <c>""</c>, is <c>/health/ready</c>'s, under which a trainer without a model is ready to train.)</summary>
sealed class ModelLoadedHealthCheck(ActiveModel active) : IHealthCheck
{
    public const string Name = "inference";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(active.Current is { } model
            ? HealthCheckResult.Healthy($"Model {model.Manifest.Version} is serving.")
            : HealthCheckResult.Unhealthy("No model loaded yet."));
}
