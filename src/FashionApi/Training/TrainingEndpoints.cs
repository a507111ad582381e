using FashionApi.Hosting;
using FashionApi.Models;
using FashionApi.Softmax;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace FashionApi.Training;

/// <summary><c>/train</c>: queue training jobs, watch them (also as Server-Sent Events), cancel them, and the presets a
/// training form starts from. Refusals are thrown and answered by <see cref="RequestRejections"/>.</summary>
public static class TrainingEndpoints
{
    public static RouteGroupBuilder MapTraining(this IEndpointRouteBuilder routes)
    {
        var train = routes.MapGroup("/train").WithTags("Train");

        train.MapGet("", ListJobs)
            .WithName("ListTrainingJobs")
            .WithSummary("Recent training jobs, newest first");
        train.MapGet("/{id}", GetJob)
            .WithName("GetTrainingJob")
            .WithSummary("A training job's status, progress, per-epoch history and resulting model version")
            .ProducesProblem(StatusCodes.Status404NotFound);
        train.MapTrainingEvents();

        var manage = train.MapGroup("").RequireManagement().ProducesProblem(StatusCodes.Status409Conflict);
        manage.MapPost("", StartJob)
            .WithMetadata(new RequestSizeLimitAttribute(MaxTrainRequestBytes))
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithName("StartTraining")
            .WithSummary("Queue a training job (preset 'default' or 'seed', any field overrides it)")
            .WithDescription("Jobs run one at a time in the background. The new model becomes active when the job succeeds; " +
                             "until then, and if it fails or is cancelled, the current model keeps serving.");
        manage.MapDelete("/{id}", CancelJob)
            .WithName("CancelTrainingJob")
            .WithSummary("Cancel a queued or running training job; the active model is untouched")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return train;
    }

    /// <summary>Training must not cost serving more than its budget: with <c>TrainAtLowPriority</c> on, a job runs below
    /// request handling, which only <c>fused</c> can (see <see cref="ISoftmaxImplementation.SafeAtLowPriority"/>).
    /// Outside Development the others are refused rather than run at normal priority for up to <c>MaxJobDuration</c>;
    /// an operator who accepts that cost sets <c>TrainAtLowPriority=false</c>.</summary>
    static void RefuseWhatCannotTrainBelowServing(Implementation implementation, FashionApiOptions options, IHostEnvironment environment)
    {
        if (!options.TrainAtLowPriority || ISoftmaxImplementation.SafeAtLowPriority(implementation) || environment.IsDevelopment()) return;
        string name = CamelCaseEnumConverter.Name(implementation);
        throw new RequestRejectedException(RejectionReason.InvalidHyperparameters,
            $"'{name}' jobs cannot train below request handling, so this service does not run them: use 'fused' (the presets' " +
            "implementation; all three give the same weights), or set TrainAtLowPriority=false to accept their cost to serving.")
        {
            Errors = new Dictionary<string, string[]> { ["implementation"] = [$"'{name}' cannot train at low priority here; use 'fused'."] },
        };
    }

    static Ok<List<TrainingJobSnapshot>> ListJobs(TrainingJobQueue queue) =>
        TypedResults.Ok(queue.List().Select(j => j.Snapshot()).ToList());

    static Ok<TrainingJobSnapshot> GetJob(string id, TrainingJobQueue queue) => TypedResults.Ok(Find(queue, id).Snapshot());

    static Accepted<TrainingJobSnapshot> StartJob(TrainRequest? request, TrainingJobQueue queue, IOptions<FashionApiOptions> options, IHostEnvironment environment)
    {
        request ??= new TrainRequest();
        var (hyperparameters, errors) = request.Resolve();
        if (hyperparameters is null)
            throw new RequestRejectedException(RejectionReason.InvalidHyperparameters, "The training request has invalid values.") { Errors = errors };
        RefuseWhatCannotTrainBelowServing(hyperparameters.Implementation, options.Value, environment);
        var job = queue.TryEnqueue(hyperparameters, request.Preset?.ToLowerInvariant() ?? "default", request.Activate ?? ActivationPolicy.Always)
                  ?? throw new RequestRejectedException(RejectionReason.TrainingQueueFull,
                      $"{options.Value.MaxQueuedJobs} training jobs are already waiting, the most allowed (MaxQueuedJobs). " +
                      "Try again when one has started, or cancel one (DELETE /train/{id}).", StatusCodes.Status429TooManyRequests)
                      { RetryAfter = QueueRetryAfter };
        return TypedResults.Accepted($"/train/{job.Id}", job.Snapshot());
    }

    static Accepted<TrainingJobSnapshot> CancelJob(string id, TrainingJobQueue queue)
    {
        var job = Find(queue, id);
        if (!job.Cancel())
            throw new RequestRejectedException(RejectionReason.JobNotCancellable, job.Status == TrainingJobStatus.Running
                    ? $"Job {id} has finished training and is saving its model; it can no longer be cancelled."
                    : $"Job {id} has already finished ({job.Status}); there is nothing to cancel.",
                StatusCodes.Status409Conflict) { Title = "Too late to cancel" };
        return TypedResults.Accepted($"/train/{id}", job.Snapshot());
    }

    /// <summary>The job <paramref name="id"/>, or a 404 refusal.</summary>
    internal static TrainingJob Find(TrainingJobQueue queue, string id) =>
        queue.Find(id) ?? throw new RequestRejectedException(RejectionReason.UnknownJob,
            $"No training job '{id}' is known (finished jobs are remembered for a while).", StatusCodes.Status404NotFound)
            { Title = "Unknown training job" };

    /// <summary>A training request is a dozen small fields.</summary>
    const long MaxTrainRequestBytes = 16 * 1024;

    /// <summary>Jobs of the presets take seconds; a client told to come back sooner would only be refused again.</summary>
    static readonly TimeSpan QueueRetryAfter = TimeSpan.FromSeconds(10);
}

/// <summary>A training request: a preset, and any hyperparameter to override in it. All fields are optional.</summary>
public sealed record TrainRequest
{
    /// <summary>'default' (the best in under a second, used when omitted) or 'seed' (exactly the tutorial).</summary>
    /// <example>default</example>
    public string? Preset { get; init; }

    /// <summary>Whether the new model replaces the one serving: 'always' (the default), 'ifBetter' (only if its test
    /// accuracy beats the active model's) or 'never' (save only). The job's result says whether it was activated.</summary>
    /// <example>always</example>
    public ActivationPolicy? Activate { get; init; }

    /// <summary>'fused' (the from-scratch algorithm arranged for speed, used by the presets), 'scratch' (the chapter's
    /// from-scratch code as the book writes it) or 'builtin' (nn.Linear, the library's loss, torch.optim). All three
    /// give the same weights.</summary>
    /// <example>fused</example>
    public Implementation? Implementation { get; init; }

    /// <summary>Passes over the 60,000 training images (1–500).</summary>
    /// <example>8</example>
    public int? Epochs { get; init; }

    /// <summary>Step size, greater than 0 and at most 10.</summary>
    /// <example>0.01</example>
    public double? LearningRate { get; init; }

    /// <summary>Images per minibatch (16–60000).</summary>
    /// <example>256</example>
    public int? BatchSize { get; init; }

    /// <summary>'sgd' or 'adam'.</summary>
    /// <example>adam</example>
    public Optimizer? Optimizer { get; init; }

    /// <summary>SGD momentum, at least 0 and below 1 (sgd only).</summary>
    /// <example>0</example>
    public double? Momentum { get; init; }

    /// <summary>L2 penalty, 0–1.</summary>
    /// <example>0</example>
    public double? WeightDecay { get; init; }

    /// <summary>Reshuffle the training set every epoch.</summary>
    /// <example>true</example>
    public bool? Shuffle { get; init; }

    /// <summary>Random seed: the same seed and settings give the same weights.</summary>
    /// <example>0</example>
    public long? Seed { get; init; }

    /// <summary>Learning-rate schedule: 'constant' or 'cosine' (annealed to 0 over all steps).</summary>
    /// <example>cosine</example>
    public Schedule? Schedule { get; init; }

    public (Hyperparameters? Hyperparameters, Dictionary<string, string[]> Errors) Resolve()
    {
        string presetName = Preset ?? "default";
        if (!TrainingPresets.ByName.TryGetValue(presetName, out var preset))
            return (null, new() { ["preset"] = [$"Unknown preset '{presetName}'; use one of: {string.Join(", ", TrainingPresets.ByName.Keys)}."] });

        var resolved = preset with
        {
            Implementation = Implementation ?? preset.Implementation,
            Epochs = Epochs ?? preset.Epochs,
            LearningRate = LearningRate ?? preset.LearningRate,
            BatchSize = BatchSize ?? preset.BatchSize,
            Optimizer = Optimizer ?? preset.Optimizer,
            Momentum = Momentum ?? preset.Momentum,
            WeightDecay = WeightDecay ?? preset.WeightDecay,
            Shuffle = Shuffle ?? preset.Shuffle,
            Seed = Seed ?? preset.Seed,
            Schedule = Schedule ?? preset.Schedule,
        };
        var errors = resolved.Validate();
        return errors.Count == 0 ? (resolved, errors) : (null, errors);
    }
}
