using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace FashionApi.Hosting;

/// <summary>
/// Keeps other web sites from driving the guarded routes through a visitor's browser (CSRF, DNS rebinding; the key
/// is the main defence, this holds in Development too, where there may be none). A request carrying an <c>Origin</c>
/// other than the service's own (or one of <c>AllowedOrigins</c>) is refused with 403. A guarded <c>POST</c> must
/// carry <c>Content-Type: application/json</c>: a cross-site form, a <c>text/plain</c> body or a body-less POST, the
/// requests a page can send without a CORS preflight, are refused with 415 before anything runs. (<c>DELETE</c> always
/// needs a preflight, which this service never grants.) Host names are checked by <c>AllowedHosts</c>.
/// </summary>
public static class CrossSiteGuard
{
    public static IApplicationBuilder UseCrossSiteGuard(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<ApiKeyRequiredMetadata>() is not null && Refusal(context) is { } refusal)
        {
            await context.RequestServices.GetRequiredService<RequestRejections>().WriteAsync(context, refusal);
            return;
        }
        await next(context);
    });

    static RequestRejectedException? Refusal(HttpContext context)
    {
        var request = context.Request;
        string origin = request.Headers.Origin.ToString();
        if (origin.Length > 0 && !IsOwnOrAllowed(origin, request, context.RequestServices.GetRequiredService<IOptions<FashionApiOptions>>().Value))
            return new(RejectionReason.CrossSiteRequest,
                $"Requests from the origin '{origin}' may not change this service; only its own pages (and FashionApi:AllowedOrigins) may.",
                StatusCodes.Status403Forbidden);
        if (HttpMethods.IsPost(request.Method) && !IsJson(request.ContentType))
            return new(RejectionReason.UnsupportedMediaType,
                $"This operation takes a JSON body: send 'Content-Type: application/json' ({(string.IsNullOrEmpty(request.ContentType) ? "none was sent" : $"not '{request.ContentType}'")}); " +
                "an empty object {} will do where there is nothing to say.", StatusCodes.Status415UnsupportedMediaType);
        return null;
    }

    static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var type) && type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase);

    /// <summary>The page's own origin has the request's host and port (its scheme may differ behind a proxy that ends
    /// TLS); a browser sends the literal <c>null</c> from sandboxed frames and file pages, which is never ours.</summary>
    static bool IsOwnOrAllowed(string origin, HttpRequest request, FashionApiOptions options)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri)) return false;
        if (options.AllowedOrigins.Any(allowed => Uri.TryCreate(allowed, UriKind.Absolute, out var a)
                && a.Scheme == uri.Scheme && string.Equals(a.Authority, uri.Authority, StringComparison.OrdinalIgnoreCase)))
            return true;
        return string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase)
               || (uri.IsDefaultPort && string.Equals(uri.Host, request.Host.Host, StringComparison.OrdinalIgnoreCase) && request.Host.Port is null);
    }
}
