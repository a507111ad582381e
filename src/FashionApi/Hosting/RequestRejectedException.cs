namespace FashionApi.Hosting;

/// <summary>A client's request that cannot be served as sent. Thrown wherever that is found out, answered in one place
/// (<see cref="RequestRejections"/>) as problem details with this status, detail and reason.</summary>
public sealed class RequestRejectedException(RejectionReason reason, string detail, int statusCode = StatusCodes.Status400BadRequest,
    Exception? inner = null) : Exception(detail, inner)
{
    public RejectionReason Reason { get; } = reason;
    public int StatusCode { get; } = statusCode;

    /// <summary>When the client may try again (sent as <c>Retry-After</c>).</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Field name → problems, for a validation problem naming each failing field.</summary>
    public IDictionary<string, string[]>? Errors { get; init; }
}
