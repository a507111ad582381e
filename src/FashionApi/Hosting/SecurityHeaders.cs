namespace FashionApi.Hosting;

/// <summary>
/// Headers every answer carries, so a browser treats the service's content as what it is: no MIME sniffing, never
/// framed by another site (clickjacking), no referrer sent to other sites, and for the page a strict Content Security
/// Policy: it has no inline script or style and calls only its own origin, so anything injected would not run.
/// Swagger UI's page sets inline styles, so under <c>/swagger</c> only framing and base URLs are restricted. Kestrel's
/// <c>Server</c> header is switched off where Kestrel is configured (<see cref="KestrelSetup"/>).
/// </summary>
public static class SecurityHeaders
{
    public const string PagePolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
                                     "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    const string SwaggerPolicy = "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        // At the last moment: the exception handler clears the headers of a response it rewrites.
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments("/swagger") ? SwaggerPolicy : PagePolicy;
            return Task.CompletedTask;
        });
        return next(context);
    });
}
