using FashionApi.Models;
using Microsoft.AspNetCore.Diagnostics;

namespace FashionApi.Hosting;

/// <summary>Hands every refusal (<see cref="RequestRejectedException"/>, and Kestrel's or binding's verdict on the HTTP)
/// to <see cref="RequestRejections"/>. Anything else is a real server fault: logged, answered 500 without internals.</summary>
public sealed class ProblemExceptionHandler(RequestRejections rejections, ILogger<ProblemExceptionHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        switch (exception)
        {
            case RequestRejectedException rejection:
                return await rejections.WriteAsync(context, rejection);
            case BadHttpRequestException e:
                // Kestrel's verdict on the HTTP itself (bad chunking, body over the size limit, ...) or binding's.
                var reason = e.StatusCode == StatusCodes.Status413PayloadTooLarge ? RejectionReason.BodyTooLarge : RejectionReason.MalformedHttp;
                return await rejections.WriteAsync(context, new RequestRejectedException(reason, Describe(e), e.StatusCode, e));
            case StoreUnavailableException e:
                // Permissions, a read-only or full disk, another writer: the operator's to fix, said without paths.
                logger.LogError("{Method} {Path}: {Problem} ({Cause})", context.Request.Method, context.Request.Path, e.Message, e.InnerException?.Message);
                return await rejections.WriteAsync(context, StoreProblems.Refusal(e));
            default:
                logger.LogError(exception, "Unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
                return false;
        }
    }

    /// <summary>Model binding's message names the parameter; the JSON reader's inner message says where the JSON broke.</summary>
    static string Describe(BadHttpRequestException e) =>
        e.InnerException is System.Text.Json.JsonException json ? $"{e.Message} {json.Message}" : e.Message;
}
