namespace FashionApi.Infrastructure;

/// <summary>A client's request that cannot be served as sent; becomes a problem-details response with this status.</summary>
public sealed class RequestRejectedException(string detail, int statusCode = StatusCodes.Status400BadRequest) : Exception(detail)
{
    public int StatusCode { get; } = statusCode;
}
