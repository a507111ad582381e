namespace FashionApi.Hosting;

/// <summary>The policies of the routes that change what the service does (training, cancelling, activating), set
/// once per route group: the API key, the management rate limit, and a training instance.</summary>
public static class ManagementPolicy
{
    /// <summary>In this order: a missing key is a 401 before the role is looked at (the rate limit, middleware, comes
    /// first of all).</summary>
    public static TBuilder RequireManagement<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireApiKey()
            .RequireRateLimiting(ClientRateLimits.Management)
            .AddEndpointFilter<TBuilder, TrainingRoleFilter>();
}
