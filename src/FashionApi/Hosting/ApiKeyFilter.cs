namespace FashionApi.Hosting;

/// <summary>Endpoints marked with <see cref="RequireApiKey"/> need the header <c>X-Api-Key</c> with the
/// <see cref="ManagementKey"/> (always outside Development). The mark also subjects them to the
/// <see cref="CrossSiteGuard"/>.</summary>
public static class ApiKeyFilter
{
    public const string Header = "X-Api-Key";

    public static TBuilder RequireApiKey<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var key = context.HttpContext.RequestServices.GetRequiredService<ManagementKey>();
            if (!key.Required || key.Matches(context.HttpContext.Request.Headers[Header].ToString())) return await next(context);
            throw Refusal(key);
        }).WithMetadata(new ApiKeyRequiredMetadata());

    public static RequestRejectedException Refusal(ManagementKey key) => new(RejectionReason.ApiKeyRequired,
        $"This operation needs the header {Header} with the service's API key" + key.Source switch
        {
            ManagementKeySource.File => $" (it was generated at first start: the file {ManagementKey.FileName} in the service's model directory holds it).",
            ManagementKeySource.Unavailable => " (none is configured and none could be generated: see the service's log).",
            _ => ".",
        }, StatusCodes.Status401Unauthorized);

    /// <summary>Resolves the key at start-up, so its log line (where it is kept, never the key) comes first.</summary>
    public static WebApplication UseManagementKey(this WebApplication app)
    {
        app.Services.GetRequiredService<ManagementKey>();
        return app;
    }
}

/// <summary>Marks an endpoint as guarded, so the OpenAPI document can say so and the cross-site guard applies.</summary>
public sealed class ApiKeyRequiredMetadata;
