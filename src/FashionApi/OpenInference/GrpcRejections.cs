using FashionApi.Hosting;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace FashionApi.OpenInference;

/// <summary>Answers a refused gRPC call with the status code that says why and the same message REST gives in
/// <c>detail</c>, observed like every other refusal (metrics, one debug line); "no model yet" is UNAVAILABLE.</summary>
sealed class GrpcRejections(RequestRejections rejections) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (RequestRejectedException e)
        {
            rejections.Observe(context.GetHttpContext(), e.Reason, e.StatusCode);
            throw new RpcException(new Grpc.Core.Status(Code(e.StatusCode), e.Message));
        }
    }

    /// <summary>The HTTP status a refusal has on REST, as gRPC's code (the mapping gRPC's HTTP guide draws).</summary>
    public static StatusCode Code(int httpStatus) => httpStatus switch
    {
        StatusCodes.Status404NotFound => StatusCode.NotFound,
        StatusCodes.Status409Conflict => StatusCode.FailedPrecondition,
        StatusCodes.Status413PayloadTooLarge or StatusCodes.Status429TooManyRequests => StatusCode.ResourceExhausted,
        StatusCodes.Status503ServiceUnavailable => StatusCode.Unavailable,
        _ => StatusCode.InvalidArgument,
    };
}
