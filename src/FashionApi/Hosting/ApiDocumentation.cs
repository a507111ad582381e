using FashionApi.Predictions;
using FashionApi.Softmax;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace FashionApi.Hosting;

/// <summary>Swagger UI at /swagger and the OpenAPI document at /swagger/v1/swagger.json.</summary>
public static class ApiDocumentation
{
    public static IServiceCollection AddApiDocumentation(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "FashionApi",
                Version = "v1",
                Description = "Softmax regression on Fashion-MNIST, trained with TorchSharp: classify 28×28 clothing images, " +
                              "train new models in the background, inspect and roll back versions.",
            });
            string xml = Path.Combine(AppContext.BaseDirectory, "FashionApi.xml");
            if (File.Exists(xml)) options.IncludeXmlComments(xml);
            options.AddSecurityDefinition("ApiKey", new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ApiKeyFilter.Header,
                Description = "Needed for training, cancelling, activation and training event streams (outside Development always: " +
                              "FashionApi:ApiKey, or the key generated in the model directory's api-key file).",
            });
            // The order a newcomer needs them in, rather than alphabetical.
            string[] tags = ["Predict", "Train", "Models", "Samples", "Status"];
            options.OrderActionsBy(api => $"{Array.IndexOf(tags, api.ActionDescriptor.EndpointMetadata.OfType<Microsoft.AspNetCore.Http.Metadata.ITagsMetadata>().FirstOrDefault()?.Tags.FirstOrDefault()):D2} {api.RelativePath}");
            options.OperationFilter<ApiKeyOperationFilter>();
            options.OperationFilter<PredictRequestBodyFilter>();
        });
        return services;
    }

    public static WebApplication UseApiDocumentation(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<FashionApiOptions>>().Value.SwaggerEnabled) return app;
        app.UseSwagger();
        app.UseSwaggerUI(options => options.DocumentTitle = "FashionApi");
        return app;
    }

    /// <summary>The prediction endpoints read their body by Content-Type themselves; describe the types they take so
    /// Swagger UI offers the upload form.</summary>
    sealed class PredictRequestBodyFilter : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            var metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<PredictRequestBodyMetadata>().FirstOrDefault();
            if (metadata is null) return;

            string field = metadata.Batch ? "images" : "image";
            IOpenApiSchema file = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" };
            var form = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Properties = new Dictionary<string, IOpenApiSchema>
                {
                    [field] = metadata.Batch ? new OpenApiSchema { Type = JsonSchemaType.Array, Items = file } : file,
                },
                Required = new HashSet<string> { field },
            };
            var json = context.SchemaGenerator.GenerateSchema(metadata.Batch ? typeof(BatchPixelsRequest) : typeof(PixelsRequest), context.SchemaRepository);
            var content = new Dictionary<string, OpenApiMediaType>
            {
                ["multipart/form-data"] = new() { Schema = form },
                ["application/json"] = new() { Schema = json },
            };
            if (!metadata.Batch)
                foreach (string type in AcceptedImageFormats.MediaTypes)
                    content[type] = new() { Schema = file };
            operation.RequestBody = new OpenApiRequestBody { Required = true, Content = content };
        }
    }

    sealed class ApiKeyOperationFilter : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            if (!context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<ApiKeyRequiredMetadata>().Any()) return;
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("ApiKey", context.Document)] = [] });
        }
    }
}
