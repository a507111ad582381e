using FashionApi.Dataset;
using FashionApi.Models;
using FashionApi.Page;
using FashionApi.Predictions;
using FashionApi.OpenInference;
using FashionApi.Samples;
using FashionApi.Softmax;
using FashionApi.Status;
using FashionApi.Training;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

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
        services.AddSingleton<IValidateOptions<FashionApiOptions>, FashionApiOptions.SettingRules>();
        services.AddSingleton<ManagementKey>();

        services.AddHttpClient(nameof(DatasetLocator), client => client.Timeout = TimeSpan.FromMinutes(5));
        services.AddSingleton<DatasetLocator>();
        services.AddSingleton<DatasetProvider>();

        // Role serve never trains: no worker, so nothing in the process ever touches libtorch.
        services.AddSingleton<TrainingJobQueue>();
        services.AddSingleton<EventStreamLimits>();
        if (RoleOf(configuration).Trains()) services.AddHostedService<TrainingWorker>();

        services.AddSingleton<ModelStore>();
        services.AddHostedService<StoreWritabilityMonitor>();

        services.AddSingleton<ActiveModel>();
        services.AddSingleton<ModelActivation>();
        services.AddHostedService<ActiveModelReloader>();
        services.AddSingleton<ModelPredictor>();
        services.AddSingleton<ImagePreprocessor>();
        services.AddSingleton<TestSetSamples>();
        services.AddStatusHealthChecks();
        services.AddOpenInference(configuration);

        // Web plumbing: problem details for every error, every refusal answered in one place, enums as strings.
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
            context.HttpContext.RequestServices.GetRequiredService<RequestRejections>().DescribeFrameworkRefusal(context));
        services.AddSingleton<RequestRejections>();
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.AddClientRateLimits();
        services.AddTrustedProxies();
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
