using Microsoft.Extensions.Options;

namespace FashionApi.Hosting;

/// <summary>Endpoints marked with <see cref="RequireTrainingRole"/> write to the model store, which instances with
/// Role <c>serve</c> never do: there they answer 409 saying where to send the request instead.</summary>
public static class TrainingRoleFilter
{
    public static TBuilder RequireTrainingRole<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var role = context.HttpContext.RequestServices.GetRequiredService<IOptions<FashionApiOptions>>().Value.Role;
            return role.Trains()
                ? await next(context)
                : TypedResults.Problem(
                    "This instance has Role serve: it serves predictions from the shared model store and never changes it. " +
                    "Training and activation run on an instance with Role train or all; send the request there.",
                    statusCode: StatusCodes.Status409Conflict, title: "Not a training instance");
        });
}
