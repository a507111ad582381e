using FashionApi.Inference;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.WebUtilities;

namespace FashionApi.Infrastructure;

/// <summary>Turns the exceptions that mean "the client sent something we cannot use" or "no model yet" into RFC 9457
/// problem details with a useful detail. Anything else is a real server fault: logged, answered 500 without internals.</summary>
public sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail) = exception switch
        {
            RequestRejectedException e => (e.StatusCode, ReasonPhrases.GetReasonPhrase(e.StatusCode), e.Message),
            BadHttpRequestException e => (e.StatusCode, ReasonPhrases.GetReasonPhrase(e.StatusCode), Describe(e)),
            ModelNotReadyException e => (StatusCodes.Status503ServiceUnavailable, "Model not ready", e.Message),
            _ => (0, "", ""),
        };
        if (status == 0)
        {
            logger.LogError(exception, "Unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
            return false;
        }

        if (status == StatusCodes.Status503ServiceUnavailable)
            context.Response.Headers.RetryAfter = "10";
        context.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }

    /// <summary>Model binding's message names the parameter; the JSON reader's inner message says where the JSON broke.</summary>
    static string Describe(BadHttpRequestException e) =>
        e.InnerException is System.Text.Json.JsonException json ? $"{e.Message} {json.Message}" : e.Message;
}
