using Microsoft.Extensions.Options;

namespace FashionApi.Hosting;

/// <summary>Endpoints that write to the model store, which instances with Role <c>serve</c> never do: there they are
/// refused with a 409 saying where to send the request instead.</summary>
public sealed class TrainingRoleFilter(IOptions<FashionApiOptions> options) : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        options.Value.Role.Trains()
            ? next(context)
            : throw new RequestRejectedException(RejectionReason.NotTrainingInstance,
                "This instance has Role serve: it serves predictions from the shared model store and never changes it. " +
                "Training and activation run on an instance with Role train or all; send the request there.",
                StatusCodes.Status409Conflict) { Title = "Not a training instance" };
}
