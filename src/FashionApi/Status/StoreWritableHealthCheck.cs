using FashionApi.Hosting;
using FashionApi.Models;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace FashionApi.Status;

/// <summary>Readiness of an instance that trains: unhealthy while its model store cannot be written (a root-owned
/// volume, a read-only mount, a full disk), saying why, as last found by <see cref="StoreWritabilityMonitor"/> or a
/// failed write. Instances with Role serve never write, so for them it always passes.</summary>
public sealed class StoreWritableHealthCheck(ModelStore store, IOptions<FashionApiOptions> options) : IHealthCheck
{
    public const string Name = "store";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(options.Value.Role.Trains() && store.WriteProblem is { } problem
            ? HealthCheckResult.Unhealthy($"The model store cannot be written: {problem}")
            : HealthCheckResult.Healthy(options.Value.Role.Trains() ? "The model store is writable." : "This instance only reads the model store."));
}
