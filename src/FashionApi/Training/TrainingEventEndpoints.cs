using System.Net.ServerSentEvents;
using FashionApi.Models;
using FashionApi.Softmax;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FashionApi.Training;

/// <summary><c>GET /train/{id}/events</c>, a job's progress pushed as Server-Sent Events, and <c>GET /train/presets</c>,
/// the starting points a training form fills itself from.</summary>
public static class TrainingEventEndpoints
{
    public static IEndpointRouteBuilder MapTrainingEvents(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/train").WithTags("Train");

        group.MapGet("/{id}/events", Results<ServerSentEventsResult<object>, ProblemHttpResult> (
                string id, TrainingJobQueue queue, HttpContext context, IHostApplicationLifetime lifetime) =>
            {
                if (queue.Find(id) is not { } job)
                    return TypedResults.Problem($"No training job '{id}' is known (finished jobs are remembered for a while).",
                        statusCode: StatusCodes.Status404NotFound, title: "Unknown training job");
                // Ends when the job does, when the client goes away, or when the service shuts down.
                var ending = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
                context.Response.RegisterForDispose(ending);
                return TypedResults.ServerSentEvents(TrainingEventStream.Follow(job, ending.Token));
            })
            .WithName("FollowTrainingJob")
            .WithSummary("A training job's progress, pushed as Server-Sent Events (text/event-stream) until it ends")
            .WithDescription("Events, each with a JSON data line: 'snapshot' (the job as GET /train/{id} shows it, sent first), " +
                             "'progress' ({status, progress}: sent as minibatches complete, at most about ten a second), " +
                             "'epoch' (loss, trainAccuracy, testAccuracy and seconds of each finished epoch) and 'done' (the " +
                             "final job: succeeded, failed or cancelled, with its modelVersion); 'keepalive' ({status}) after 15 s without " +
                             "another event, so that proxies keep the connection open. The stream closes after 'done'; " +
                             "a browser's EventSource should then be closed rather than left to reconnect.")
            .Produces<TrainingJobSnapshot>(StatusCodes.Status200OK, "text/event-stream")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/presets", () => TypedResults.Ok(new TrainingPresetList(TrainingPresets.ByName, new TrainingFieldChoices(
                Enum.GetValues<Implementation>(), Enum.GetValues<Optimizer>(), Enum.GetValues<Schedule>(), Enum.GetValues<ActivationPolicy>()))))
            .WithName("ListTrainingPresets")
            .WithSummary("The training presets by name with every hyperparameter each sets, and the values each choice field accepts");

        return routes;
    }
}

/// <summary>What a training form needs: the presets (any field of a request overrides its preset's value) and the
/// accepted values of each field that is a choice.</summary>
public sealed record TrainingPresetList(IReadOnlyDictionary<string, Hyperparameters> Presets, TrainingFieldChoices Choices);

/// <summary>The accepted values of the training fields that are choices, by field name; the first of
/// <c>activate</c> is its default.</summary>
public sealed record TrainingFieldChoices(Implementation[] Implementation, Optimizer[] Optimizer, Schedule[] Schedule, ActivationPolicy[] Activate);
