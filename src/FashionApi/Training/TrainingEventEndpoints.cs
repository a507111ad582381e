using System.Net.ServerSentEvents;
using FashionApi.Hosting;
using FashionApi.Models;
using FashionApi.Softmax;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FashionApi.Training;

/// <summary><c>GET /train/{id}/events</c>, a job's progress pushed as Server-Sent Events, and <c>GET /train/presets</c>,
/// the starting points a training form fills itself from. Part of the <c>/train</c> route table
/// (<see cref="TrainingEndpoints"/>).</summary>
public static class TrainingEventEndpoints
{
    internal static RouteGroupBuilder MapTrainingEvents(this RouteGroupBuilder train)
    {
        train.MapGet("/{id}/events", FollowJob)
            .RequireApiKey()
            .WithName("FollowTrainingJob")
            .WithSummary("A training job's progress, pushed as Server-Sent Events (text/event-stream) until it ends")
            .WithDescription("Events, each with a JSON data line: 'snapshot' (the job as GET /train/{id} shows it, sent first), " +
                             "'progress' ({status, progress}: sent as minibatches complete, at most about ten a second), " +
                             "'epoch' (loss, trainAccuracy, testAccuracy and seconds of each finished epoch) and 'done' (the " +
                             "final job: succeeded, failed or cancelled, with its modelVersion); 'keepalive' ({status}) after 15 s without " +
                             "another event, so that proxies keep the connection open. The stream closes after 'done'; " +
                             "a browser's EventSource should then be closed rather than left to reconnect. Needs the API key like the " +
                             "management routes (outside Development, always), and at most MaxEventStreamsPerJob streams per job and " +
                             "MaxEventStreamsPerClient per client are open at once (429 beyond).")
            .Produces<TrainingJobSnapshot>(StatusCodes.Status200OK, "text/event-stream")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        train.MapGet("/presets", ListPresets)
            .WithName("ListTrainingPresets")
            .WithSummary("The training presets by name with every hyperparameter each sets, and the values each choice field accepts");
        return train;
    }

    static ServerSentEventsResult<object> FollowJob(string id, TrainingJobQueue queue, EventStreamLimits limits, HttpContext context,
        IHostApplicationLifetime lifetime)
    {
        var job = TrainingEndpoints.Find(queue, id);
        var (slot, refusal) = limits.TryOpen(job.Id, ClientIdentity.Of(context));
        if (slot is null)
            throw new RequestRejectedException(RejectionReason.TooManyEventStreams, refusal!, StatusCodes.Status429TooManyRequests)
                { RetryAfter = TimeSpan.FromSeconds(10) };
        context.Response.RegisterForDispose(slot);
        // Ends when the job does, when the client goes away, or when the service shuts down.
        var ending = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        context.Response.RegisterForDispose(ending);
        return TypedResults.ServerSentEvents(TrainingEventStream.Follow(job, ending.Token));
    }

    static Ok<TrainingPresetList> ListPresets() => TypedResults.Ok(new TrainingPresetList(TrainingPresets.ByName, new TrainingFieldChoices(
        Enum.GetValues<Implementation>(), Enum.GetValues<Optimizer>(), Enum.GetValues<Schedule>(), Enum.GetValues<ActivationPolicy>())));
}

/// <summary>What a training form needs: the presets (any field of a request overrides its preset's value) and the
/// accepted values of each field that is a choice.</summary>
public sealed record TrainingPresetList(IReadOnlyDictionary<string, Hyperparameters> Presets, TrainingFieldChoices Choices);

/// <summary>The accepted values of the training fields that are choices, by field name; the first of
/// <c>activate</c> is its default.</summary>
public sealed record TrainingFieldChoices(Implementation[] Implementation, Optimizer[] Optimizer, Schedule[] Schedule, ActivationPolicy[] Activate);
