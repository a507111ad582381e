using FashionApi.Infrastructure;
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
}
