using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace FashionApi.Infrastructure;

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
                : TypedResults.Problem($"This operation needs the header {Header} with the service's API key.",
                    statusCode: StatusCodes.Status401Unauthorized, title: "API key required");
        }).WithMetadata(new ApiKeyRequiredMetadata());
}

/// <summary>Marks an endpoint as guarded, so the OpenAPI document can say so.</summary>
public sealed class ApiKeyRequiredMetadata;
