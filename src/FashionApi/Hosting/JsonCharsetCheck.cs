using Microsoft.Net.Http.Headers;

namespace FashionApi.Hosting;

/// <summary>JSON bodies must be UTF-8 (RFC 8259 §8.1). A JSON request declaring any other charset, an unknown one
/// (<c>bogus</c>, <c>utf-7</c>) or an empty one is refused with 415 before an endpoint reads it; left to the
/// framework, its JSON reader throws while looking for a transcoder and the client would see a 500.</summary>
public static class JsonCharsetCheck
{
    public static IApplicationBuilder UseJsonCharsetCheck(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (Refusal(context.Request.ContentType) is { } detail)
        {
            await context.RequestServices.GetRequiredService<RequestRejections>().WriteAsync(context,
                new RequestRejectedException(RejectionReason.UnsupportedMediaType, detail, StatusCodes.Status415UnsupportedMediaType));
            return;
        }
        await next(context);
    });

    static string? Refusal(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType) || !MediaTypeHeaderValue.TryParse(contentType, out var type)) return null;
        if (!type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            && !type.MediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase)) return null;
        var charset = type.Parameters.FirstOrDefault(p => p.Name.Equals("charset", StringComparison.OrdinalIgnoreCase));
        if (charset is null) return null;
        string value = HeaderUtilities.RemoveQuotes(charset.Value).ToString();
        return value.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || value.Equals("utf8", StringComparison.OrdinalIgnoreCase)
            ? null
            : $"JSON must be sent as UTF-8; charset '{value}' is not accepted. Send 'Content-Type: application/json' or 'application/json; charset=utf-8'.";
    }
}
