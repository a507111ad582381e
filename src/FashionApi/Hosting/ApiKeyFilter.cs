using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace FashionApi.Hosting;

/// <summary>When <c>FashionApi:ApiKey</c> is set, endpoints marked with <see cref="RequireApiKey"/> need the header
/// <c>X-Api-Key</c> with that value. Compared in constant time so the key cannot be guessed byte by byte.</summary>
public static class ApiKeyFilter
{
    public const string Header = "X-Api-Key";

    public static TBuilder RequireApiKey<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            string? expected = context.HttpContext.RequestServices.GetRequiredService<IOptions<FashionApiOptions>>().Value.ApiKey;
            if (string.IsNullOrEmpty(expected)) return await next(context);

            string presented = context.HttpContext.Request.Headers[Header].ToString();
            bool valid = CryptographicOperations.FixedTimeEquals(
                SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
            return valid
                ? await next(context)
                : throw new RequestRejectedException(RejectionReason.ApiKeyRequired,
                    $"This operation needs the header {Header} with the service's API key.", StatusCodes.Status401Unauthorized);
        }).WithMetadata(new ApiKeyRequiredMetadata());

    /// <summary>Outside Development, says at start-up when the guarded operations are open to anyone.</summary>
    public static WebApplication WarnWhenNoApiKey(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment() && string.IsNullOrEmpty(app.Services.GetRequiredService<IOptions<FashionApiOptions>>().Value.ApiKey))
            app.Logger.LogWarning("No API key is set (FashionApi:ApiKey): anyone who can reach the service can train, cancel jobs and activate models");
        return app;
    }
}

/// <summary>Marks an endpoint as guarded, so the OpenAPI document can say so.</summary>
public sealed class ApiKeyRequiredMetadata;
