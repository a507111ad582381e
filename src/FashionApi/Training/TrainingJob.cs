using FashionApi.Models;
using FashionApi.Softmax;

namespace FashionApi.Training;

public enum TrainingJobStatus { Queued, Running, Succeeded, Failed, Cancelled }

/// <summary>One requested training run. Every change of state happens under its own lock (the worker advances it,
/// a client may cancel it); readers get consistent <see cref="Snapshot"/>s.</summary>
public sealed class TrainingJob(string id, string? preset, Hyperparameters hyperparameters, ActivationPolicy activation = ActivationPolicy.Always)
{
    readonly Lock sync = new();
    readonly List<EpochMetrics> history = [];
    TrainingJobStatus status = TrainingJobStatus.Queued;
    TrainingProgress? progress;
    DateTimeOffset? startedAt, finishedAt;
    string? error, modelVersion;
    bool committing;
    double? testAccuracy;
    ActivationDecision? activationDecision;
    TaskCompletionSource? changed; // made only when someone listens, so unwatched jobs pay nothing per report

    public string Id { get; } = id;
    public Hyperparameters Hyperparameters { get; } = hyperparameters;
    public string? Preset { get; } = preset;
    public ActivationPolicy Activation { get; } = activation;
    public CancellationTokenSource Cancellation { get; } = new();

    public TrainingJobSnapshot Snapshot()
    {
        lock (sync)
        {
            return new TrainingJobSnapshot(Id, status, Preset, Hyperparameters, progress ?? TrainingProgress.NotStarted(Hyperparameters.Epochs),
                history.ToList(), CreatedAt, startedAt, finishedAt, error, modelVersion, testAccuracy,
                Activation, activationDecision?.Activate, activationDecision?.Reason);
        }
    }

    public DateTimeOffset CreatedAt { get; } = DateTimeOffset.UtcNow;

    /// <summary>Completes at the job's next change of progress, history or status (at once when it has finished), so
    /// listeners are pushed updates without a thread or a poll each. Take it before reading a snapshot: a change in
    /// between then completes it rather than going unnoticed.</summary>
    public Task NextChange()
    {
        lock (sync)
        {
            if (status is not (TrainingJobStatus.Queued or TrainingJobStatus.Running)) return Task.CompletedTask;
            return (changed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
    }

    void SignalChangeLocked()
    {
        changed?.TrySetResult();
        changed = null;
    }

    public TrainingJobStatus Status
    {
        get { lock (sync) return status; }
    }

    /// <summary>Moves a queued job to running; false if it was cancelled while waiting.</summary>
    public bool TryStart()
    {
        lock (sync)
        {
            if (status != TrainingJobStatus.Queued) return false;
            status = TrainingJobStatus.Running;
            startedAt = DateTimeOffset.UtcNow;
            SignalChangeLocked();
            return true;
        }
    }

    public void Report(TrainingProgress update)
    {
        lock (sync)
        {
            progress = update;
            if (update.CompletedEpoch is { } metrics) history.Add(metrics);
            SignalChangeLocked();
        }
    }

    /// <summary>The model is saved as <paramref name="version"/>; <paramref name="decision"/> says whether it serves.</summary>
    public void Succeed(string version, double accuracy, ActivationDecision decision)
    {
        lock (sync)
        {
            activationDecision = decision;
            FinishLocked(TrainingJobStatus.Succeeded, null, version, accuracy);
        }
    }

    public void Fail(string message) => Finish(TrainingJobStatus.Failed, message, null, null);

    /// <summary>Asks the job to stop. A queued job is cancelled at once; a running one stops at its next minibatch.
    /// Returns false when it is too late: the job has finished or is saving its model.</summary>
    public bool Cancel()
    {
        lock (sync)
        {
            if (committing || status is not (TrainingJobStatus.Queued or TrainingJobStatus.Running)) return false;
            if (status == TrainingJobStatus.Queued) FinishLocked(TrainingJobStatus.Cancelled, "Cancelled before it started.", null, null);
            Cancellation.Cancel();
            return true;
        }
    }

    /// <summary>Called when training is done, before the model is saved and activated: false if a cancel came first,
    /// otherwise the job can no longer be cancelled.</summary>
    public bool TryBeginCommit()
    {
        lock (sync)
        {
            if (Cancellation.IsCancellationRequested) return false;
            committing = true;
            return true;
        }
    }

    public void MarkCancelled() => Finish(TrainingJobStatus.Cancelled, "Cancelled while running; the previous model keeps serving.", null, null);

    void Finish(TrainingJobStatus final, string? message, string? version, double? accuracy)
    {
        lock (sync) FinishLocked(final, message, version, accuracy);
    }

    void FinishLocked(TrainingJobStatus final, string? message, string? version, double? accuracy)
    {
        status = final;
        error = message;
        modelVersion = version;
        testAccuracy = accuracy;
        finishedAt = DateTimeOffset.UtcNow;
        SignalChangeLocked();
    }
}

/// <summary>A training job as the API shows it.</summary>
public sealed record TrainingJobSnapshot(
    string Id,
    TrainingJobStatus Status,
    string? Preset,
    Hyperparameters Hyperparameters,
    TrainingProgress Progress,
    IReadOnlyList<EpochMetrics> History,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? Error,
    string? ModelVersion,
    double? TestAccuracy,
    ActivationPolicy Activate,
    bool? Activated,
    string? NotActivatedReason);
