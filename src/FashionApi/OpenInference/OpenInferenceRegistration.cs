using FashionApi.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace FashionApi.OpenInference;

public static class OpenInferenceRegistration
{
    /// <summary>The protocol over REST and gRPC. gRPC is served wherever Kestrel speaks HTTP/2: give it its own endpoint
    /// with <c>Protocols: Http2</c> under <c>Kestrel:Endpoints</c> (README, "Open Inference Protocol").</summary>
    public static IServiceCollection AddOpenInference(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<OpenInferenceOptions>()
            .Bind(configuration.GetSection(OpenInferenceOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<ServedVersions>();
        services.AddSingleton<InferenceRunner>();

        services.AddSingleton<GrpcRejections>();
        services.AddGrpc(grpc =>
        {
            // The same bound as a REST body; a larger message is refused by gRPC itself with RESOURCE_EXHAUSTED.
            grpc.MaxReceiveMessageSize = configuration.GetSection(OpenInferenceOptions.Section)
                .GetValue(nameof(OpenInferenceOptions.MaxRequestBytes), new OpenInferenceOptions().MaxRequestBytes);
            grpc.Interceptors.Add<GrpcRejections>();
        });
        services.AddGrpcReflection();
        // gRPC's standard health service: "" is the whole service's readiness (the checks /health/ready runs),
        // inference.GRPCInferenceService whether inference can be answered (a model is loaded).
        services.AddGrpcHealthChecks(health =>
            {
                health.Services.Clear();
                health.Services.Map("", check => check.Tags.Contains(Status.StatusEndpoints.ReadyTag));
                health.Services.Map("inference.GRPCInferenceService", check => check.Name == ModelLoadedHealthCheck.Name);
            })
            .AddCheck<ModelLoadedHealthCheck>(ModelLoadedHealthCheck.Name);

        // The protocol's clients read a refusal's message from "error": every problem on /v2 carries one, whoever
        // wrote it (these endpoints, routing, Kestrel's limits, the rate limiter).
        services.PostConfigure<ProblemDetailsOptions>(options =>
        {
            var customize = options.CustomizeProblemDetails;
            options.CustomizeProblemDetails = context =>
            {
                customize?.Invoke(context);
                if (context.HttpContext.Request.Path.StartsWithSegments("/v2"))
                    context.ProblemDetails.Extensions["error"] = context.ProblemDetails.Detail ?? context.ProblemDetails.Title;
            };
        });
        return services;
    }

    /// <summary>The REST routes under <c>/v2</c>, the gRPC service, gRPC health and reflection.</summary>
    public static IEndpointRouteBuilder MapOpenInference(this IEndpointRouteBuilder routes)
    {
        routes.MapOpenInferenceRest();
        routes.MapGrpcService<GrpcInferenceService>().RequireRateLimiting(ClientRateLimits.Predictions);
        routes.MapGrpcHealthChecksService();
        routes.MapGrpcReflectionService();
        return routes;
    }
}
