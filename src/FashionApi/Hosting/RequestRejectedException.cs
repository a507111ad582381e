namespace FashionApi.Hosting;

/// <summary>A request that cannot be served as sent, or not yet: the one way every refusal travels. Thrown wherever
/// that is found out (a handler, a filter, the preprocessing deep down), answered in one place
/// (<see cref="RequestRejections"/>) as problem details with this status, detail and reason, counted and logged.</summary>
public class RequestRejectedException(RejectionReason reason, string detail, int statusCode = StatusCodes.Status400BadRequest,
    Exception? inner = null) : Exception(detail, inner)
{
    public RejectionReason Reason { get; } = reason;
    public int StatusCode { get; } = statusCode;

    /// <summary>The problem's title; the status's reason phrase (<c>Not Found</c>) when not set.</summary>
    public string? Title { get; init; }

    /// <summary>When the client may try again (sent as <c>Retry-After</c>).</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Field name → problems, for a validation problem naming each failing field.</summary>
    public IDictionary<string, string[]>? Errors { get; init; }
}
