using System.Globalization;
using FashionApi.Softmax;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;

namespace FashionApi.Hosting;

/// <summary>The one place a refused request is answered: RFC 9457 problem details whose <c>detail</c> says what to
/// fix, <c>Retry-After</c> when waiting helps, and one debug log line carrying the <see cref="RejectionReason"/>.
/// Refusals the framework answers itself (unknown routes, its own 415s) are completed by <see cref="DescribeFrameworkRefusal"/>.</summary>
public sealed class RequestRejections(IProblemDetailsService problems, FashionApiMetrics metrics, ILogger<RequestRejections> logger)
{
    public async ValueTask<bool> WriteAsync(HttpContext context, RequestRejectedException rejection)
    {
        Observe(context, rejection.Reason, rejection.StatusCode);
        if (context.Response.HasStarted) return false;

        context.Response.StatusCode = rejection.StatusCode;
        // The rest of an oversized body is not read: say the connection ends here, so the client does not send its next
        // request on a connection the server is about to close.
        if (rejection.StatusCode == StatusCodes.Status413PayloadTooLarge)
            context.Response.Headers.Connection = "close";
        if (rejection.RetryAfter is { } wait)
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        ProblemDetails problem = rejection.Errors is { } errors
            ? new HttpValidationProblemDetails(errors)
            : new ProblemDetails();
        problem.Status = rejection.StatusCode;
        problem.Title = rejection.Title ?? ReasonPhrases.GetReasonPhrase(rejection.StatusCode);
        problem.Detail = rejection.Message;
        problem.Extensions["reason"] = CamelCaseEnumConverter.Name(rejection.Reason);
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = rejection });
    }

    /// <summary>For problems the framework writes itself (routing, binding, its own size and media-type checks), which
    /// carry no detail: says what to do instead, adds the reason, and observes the refusal.</summary>
    public void DescribeFrameworkRefusal(ProblemDetailsContext context)
    {
        if (context.Exception is RequestRejectedException) return; // already described and observed
        var http = context.HttpContext;
        var problem = context.ProblemDetails;
        (RejectionReason? reason, problem.Detail) = problem.Status switch
        {
            StatusCodes.Status404NotFound => ((RejectionReason?)RejectionReason.UnknownRoute, problem.Detail ?? $"There is no endpoint at {http.Request.Path}; see /swagger."),
            StatusCodes.Status405MethodNotAllowed => (RejectionReason.UnknownRoute, problem.Detail ?? $"{http.Request.Method} is not allowed on {http.Request.Path}; see /swagger."),
            StatusCodes.Status400BadRequest => (RejectionReason.MalformedHttp, problem.Detail ?? "The request could not be read as sent; see /swagger for what this endpoint takes."),
            StatusCodes.Status413PayloadTooLarge => (RejectionReason.BodyTooLarge, problem.Detail ??
                $"The body is larger than this endpoint accepts ({http.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize:N0} bytes)."),
            StatusCodes.Status415UnsupportedMediaType => (RejectionReason.UnsupportedMediaType, problem.Detail ?? $"Content-Type '{http.Request.ContentType}' is not accepted here; send application/json."),
            _ => ((RejectionReason?)null, problem.Detail),
        };
        if (reason is not { } known) return;
        problem.Extensions["reason"] = CamelCaseEnumConverter.Name(known);
        Observe(http, known, problem.Status ?? 0);
    }

    /// <summary>Every refusal passes here, whoever writes the response.</summary>
    public void Observe(HttpContext context, RejectionReason reason, int statusCode)
    {
        metrics.Rejected(reason);
        logger.LogDebug("Refused {Method} {Path} with {Status} ({Reason})", context.Request.Method, context.Request.Path, statusCode,
            CamelCaseEnumConverter.Name(reason));
    }
}
