using FashionApi.Dataset;
using FashionApi.Models;
using FashionApi.Page;
using FashionApi.Predictions;
using FashionApi.Samples;
using FashionApi.Softmax;
using FashionApi.Training;
using Microsoft.AspNetCore.Http.Features;

namespace FashionApi.Hosting;

public static class ServiceRegistration
{
    /// <summary>Everything the service is made of, in the order data flows: dataset → training → storage → inference.</summary>
    public static IServiceCollection AddFashionApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<FashionApiOptions>()
            .Bind(configuration.GetSection(FashionApiOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<DatasetOptions>()
            .Bind(configuration.GetSection(DatasetOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddHttpClient(nameof(DatasetLocator), client => client.Timeout = TimeSpan.FromMinutes(5));
        services.AddSingleton<DatasetLocator>();
        services.AddSingleton<DatasetProvider>();

        // Role serve never trains: no worker, so nothing in the process ever touches libtorch.
        services.AddSingleton<TrainingJobQueue>();
        if (RoleOf(configuration).Trains()) services.AddHostedService<TrainingWorker>();

        services.AddSingleton<ModelStore>();

        services.AddSingleton<ActiveModel>();
        services.AddHostedService<ActiveModelReloader>();
        services.AddSingleton<ModelPredictor>();
        services.AddSingleton<ImagePreprocessor>();
        services.AddSingleton<TestSetSamples>();

        // Web plumbing: problem details for every error, every refusal answered in one place, enums as strings.
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            if (context.Exception is RequestRejectedException) return; // already described and observed
            // Errors raised by the framework itself (routing, binding) carry no detail; say what to do instead.
            var http = context.HttpContext;
            (RejectionReason? reason, context.ProblemDetails.Detail) = context.ProblemDetails.Status switch
            {
                StatusCodes.Status404NotFound => ((RejectionReason?)RejectionReason.UnknownRoute, context.ProblemDetails.Detail ?? $"There is no endpoint at {http.Request.Path}; see /swagger."),
                StatusCodes.Status405MethodNotAllowed => (RejectionReason.UnknownRoute, context.ProblemDetails.Detail ?? $"{http.Request.Method} is not allowed on {http.Request.Path}; see /swagger."),
                StatusCodes.Status400BadRequest => (RejectionReason.MalformedHttp, context.ProblemDetails.Detail ?? "The request could not be read as sent; see /swagger for what this endpoint takes."),
                StatusCodes.Status413PayloadTooLarge => (RejectionReason.BodyTooLarge, context.ProblemDetails.Detail ??
                    $"The body is larger than this endpoint accepts ({http.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IRequestSizeLimitMetadata>()?.MaxRequestBodySize:N0} bytes)."),
                StatusCodes.Status415UnsupportedMediaType => (RejectionReason.UnsupportedMediaType, context.ProblemDetails.Detail ?? $"Content-Type '{http.Request.ContentType}' is not accepted here; send application/json."),
                _ => ((RejectionReason?)null, context.ProblemDetails.Detail),
            };
            if (reason is { } known)
                http.RequestServices.GetRequiredService<RequestRejections>().Observe(http, known, context.ProblemDetails.Status ?? 0);
        });
        services.AddSingleton<RequestRejections>();
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.AddClientRateLimits();
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(options => options.SerializerOptions.Converters.Add(new CamelCaseEnumConverter()));
        // Above the batch endpoint's request size limit, so that limit (a 413) is what a client runs into.
        services.AddOptions<FormOptions>().Configure<Microsoft.Extensions.Options.IOptions<FashionApiOptions>>((form, api) =>
            form.MultipartBodyLengthLimit = RequestBodies.MaxRequestBytes(api.Value, api.Value.MaxBatchSize) + 1024 * 1024);
        services.AddApiDocumentation();
        services.AddWebPage();
        return services;
    }

    /// <summary>The configured role, needed before the options are built because it decides what is registered.
    /// An invalid value fails here, at start-up, naming the setting.</summary>
    static InstanceRole RoleOf(IConfiguration configuration) =>
        configuration.GetSection(FashionApiOptions.Section).GetValue(nameof(FashionApiOptions.Role), InstanceRole.All);
}
