using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.AspNetCore.StaticFiles;

namespace FashionApi.Page;

/// <summary>The page for people at <c>/</c>: plain files from wwwroot (no build step), compressed, with caching headers.</summary>
public static class WebPage
{
    /// <summary>Vendored libraries live under a folder named with their version, so their URLs never change content.</summary>
    const string VersionedLibraries = "/lib/";

    public static IServiceCollection AddWebPage(this IServiceCollection services)
    {
        services.AddResponseCompression(options =>
        {
            options.Providers.Add<BrotliCompressionProvider>();
            options.Providers.Add<GzipCompressionProvider>();
            options.MimeTypes = ResponseCompressionDefaults.MimeTypes.Concat(["image/svg+xml", "application/problem+json"]);
        });
        // Optimal rather than the default Fastest: a third smaller for the chart library, which browsers then keep.
        services.Configure<BrotliCompressionProviderOptions>(options => options.Level = System.IO.Compression.CompressionLevel.Optimal);
        services.Configure<GzipCompressionProviderOptions>(options => options.Level = System.IO.Compression.CompressionLevel.Optimal);
        return services;
    }

    public static WebApplication UseWebPage(this WebApplication app)
    {
        // Not the prediction answers: one is about 350 bytes, and compressing it (Brotli or gzip at Optimal) cost more CPU
        // than the whole prediction, cutting POST /predict to a third for clients that send Accept-Encoding (README,
        // "Benchmark"). Everything else (the page, samples, weights, problem details) is compressed as before.
        app.UseWhen(context => !context.Request.Path.StartsWithSegments("/predict"), rest => rest.UseResponseCompression());
        app.UseDefaultFiles();
        app.UseStaticFiles(new StaticFileOptions
        {
            ContentTypeProvider = new FileExtensionContentTypeProvider { Mappings = { [".mjs"] = "text/javascript" } },
            OnPrepareResponse = context => context.Context.Response.Headers.CacheControl =
                context.Context.Request.Path.StartsWithSegments(VersionedLibraries.TrimEnd('/'))
                    ? "public, max-age=31536000, immutable"
                    // The page's own files change with the service: browsers revalidate them (ETag) on each load.
                    : "no-cache",
        });
        return app;
    }
}
