using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;

namespace FashionApi.Hosting;

/// <summary>The one place a refused request is answered: RFC 9457 problem details whose <c>detail</c> says what to
/// fix, <c>Retry-After</c> when waiting helps, and one debug log line carrying the <see cref="RejectionReason"/>.
/// Refusals the framework answers itself (unknown routes, its own 415s) are reported through <see cref="Observe"/>.</summary>
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
        problem.Title = ReasonPhrases.GetReasonPhrase(rejection.StatusCode);
        problem.Detail = rejection.Message;
        problem.Extensions["reason"] = rejection.Reason.ToString();
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = rejection });
    }

    /// <summary>Every refusal passes here, whoever writes the response.</summary>
    public void Observe(HttpContext context, RejectionReason reason, int statusCode)
    {
        metrics.Rejected(reason);
        logger.LogDebug("Refused {Method} {Path} with {Status} ({Reason})", context.Request.Method, context.Request.Path, statusCode, reason);
    }
}
