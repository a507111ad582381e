using System.Diagnostics.Metrics;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace FashionApi.Hosting;

/// <summary>
/// Metrics wired once, in the manner of .NET Aspire's service defaults: OpenTelemetry with the ASP.NET Core and .NET
/// runtime instrumentation and the service's own <see cref="FashionApiMetrics"/>, exported in Prometheus text format
/// at <c>MetricsPath</c> (default <c>/metrics</c>). With <c>MetricsEnabled</c> off nothing is collected or mapped;
/// the service's instruments still exist but, with no listener, recording costs next to nothing.
/// </summary>
public static class Observability
{
    public static IHostApplicationBuilder AddObservability(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<FashionApiMetrics>();
        var options = Options(builder.Configuration);
        if (!options.MetricsEnabled) return builder;

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("FashionApi"))
            .WithMetrics(metrics =>
            {
                metrics.AddAspNetCoreInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddMeter(FashionApiMetrics.MeterName, FashionApiMetrics.LastJobMeterName)
                    .AddPrometheusExporter();
                ((IDeferredMeterProviderBuilder)metrics).Configure((services, provider) =>
                    provider.AddView(OnlyThisHost(services.GetRequiredService<IMeterFactory>())));
            });
        return builder;
    }

    /// <summary>OpenTelemetry listens to meters by name across the whole process; a meter made by another host's
    /// <see cref="IMeterFactory"/> (tests run several hosts in one process) belongs to that host, not this one.</summary>
    static Func<Instrument, MetricStreamConfiguration?> OnlyThisHost(IMeterFactory own) =>
        instrument => instrument.Meter.Scope is IMeterFactory other && other != own ? MetricStreamConfiguration.Drop : null;

    public static IEndpointRouteBuilder MapObservability(this IEndpointRouteBuilder routes)
    {
        var options = routes.ServiceProvider.GetRequiredService<Microsoft.Extensions.Options.IOptions<FashionApiOptions>>().Value;
        if (!options.MetricsEnabled) return routes;
        var scraping = routes.MapPrometheusScrapingEndpoint(options.MetricsPath).ExcludeFromDescription();
        // On its own port, the metrics are answered there only: the public port (and so an Ingress) never serves them.
        if (options.MetricsPort is { } port) scraping.RequireHost($"*:{port}");
        return routes;
    }

    static FashionApiOptions Options(IConfiguration configuration) =>
        configuration.GetSection(FashionApiOptions.Section).Get<FashionApiOptions>() ?? new();
}
