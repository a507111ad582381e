using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace FashionApi.Hosting;

/// <summary>
/// Per-client request rates (ASP.NET Core's rate limiter): <see cref="Management"/> guards the routes that queue,
/// cancel or switch models (<c>ManagementRequestsPerMinute</c>, on by default, since without an API key anyone can
/// call them); <see cref="Predictions"/> the prediction routes (<c>PredictionRequestsPerSecond</c>, off by default).
/// A client is its IP address, or the API key when it presents the right one. Over the rate: 429 problem details with
/// <c>Retry-After</c>, answered by <see cref="RequestRejections"/>.
/// </summary>
public static class ClientRateLimits
{
    public const string Management = "management";
    public const string Predictions = "predictions";

    public static IServiceCollection AddClientRateLimits(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<FashionApiOptions>>((limiter, api) =>
        {
            limiter.AddPolicy(Management, context => PerClient(context, api.Value.ManagementRequestsPerMinute, TimeSpan.FromMinutes(1)));
            limiter.AddPolicy(Predictions, context => PerClient(context, api.Value.PredictionRequestsPerSecond, TimeSpan.FromSeconds(1)));
            limiter.OnRejected = async (rejected, _) =>
            {
                string policy = rejected.HttpContext.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName ?? "";
                string rate = policy == Management
                    ? $"{api.Value.ManagementRequestsPerMinute} requests per minute to the training and activation routes"
                    : $"{api.Value.PredictionRequestsPerSecond} requests per second to the prediction routes";
                TimeSpan? wait = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : null;
                string when = wait is { } w ? $" Try again in {Math.Max(1, Math.Ceiling(w.TotalSeconds)).ToString(CultureInfo.InvariantCulture)} s." : "";
                await rejected.HttpContext.RequestServices.GetRequiredService<RequestRejections>().WriteAsync(rejected.HttpContext,
                    new RequestRejectedException(RejectionReason.RateLimited, $"Too many requests from this client: the limit is {rate}.{when}",
                        StatusCodes.Status429TooManyRequests) { RetryAfter = wait });
            };
        });
        return services;
    }

    static RateLimitPartition<string> PerClient(HttpContext context, int permits, TimeSpan window) =>
        permits == 0
            ? RateLimitPartition.GetNoLimiter("")
            : RateLimitPartition.GetFixedWindowLimiter(Client(context),
                _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = window, QueueLimit = 0 });

    /// <summary>The right API key is one client wherever it comes from; anyone else is their address, or their /64
    /// for IPv6 (<see cref="ClientIdentity"/>). A wrong key counts as the address, so inventing keys does not buy a
    /// fresh allowance.</summary>
    static string Client(HttpContext context) =>
        context.RequestServices.GetRequiredService<ManagementKey>().Matches(context.Request.Headers[ApiKeyFilter.Header].ToString())
            ? "api-key"
            : ClientIdentity.Of(context);
}
