using System.Collections.Concurrent;
using FashionApi.Dataset;
using FashionApi.Hosting;
using FashionApi.Models;
using FashionApi.Softmax;
using Microsoft.Extensions.Options;

namespace FashionApi.Training;

/// <summary>
/// The background half of the service: it runs queued jobs one at a time, each as train, save, promote, report. At
/// start-up, once the first model has been looked for (<see cref="ModelActivation.LoadFirst"/>), it queues a first
/// training with the <c>default</c> preset when there is none and <c>TrainOnStartup</c> is on. A job's model serves
/// only once it is saved whole and its policy promotes it; a failed or cancelled job changes nothing.
/// </summary>
public sealed class TrainingWorker(
    TrainingJobQueue queue,
    DatasetProvider datasets,
    ModelStore store,
    ModelActivation activation,
    ActiveModel activeModel,
    IOptions<FashionApiOptions> options,
    FashionApiMetrics metrics,
    ILogger<TrainingWorker> logger) : BackgroundService
{
    TrainingData? trainingData; // made on the first job, used by one job at a time
    LowPriorityThread? lowPriority; // computes the jobs that are safe below request handling, when TrainAtLowPriority is on
    static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(50); // how often low-priority progress is passed on

    // All training runs on one long-lived thread rather than on thread-pool threads: libtorch's thread settings are
    // per thread, and its native allocations land in per-thread allocator arenas, so jobs that hopped between pool
    // threads made the process's peak memory climb job after job. Returning at once lets the web host start answering.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Run(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    void Run(CancellationToken stoppingToken)
    {
        QueueFirstTrainingWhenThereIsNoModel(stoppingToken);
        if (options.Value.TrainAtLowPriority)
        {
            lowPriority = new LowPriorityThread();
            logger.LogInformation("Training with {Implementation} runs below request handling in the scheduler ({Priority}); other implementations at normal priority",
                CamelCaseEnumConverter.Name(Implementation.Fused), lowPriority.Priority);
        }
        while (queue.Take(stoppingToken) is { } job)
            RunJob(job, stoppingToken);
    }

    /// <summary>Runs the job's training (the CPU-heavy part) below request handling when that is on and safe for its
    /// implementation. Only the computation moves: whatever takes a lock that requests or other processes wait for
    /// (saving and activating the model, and reporting progress, which takes the job's lock that GET /train/{id} and the
    /// event streams take) stays on this normal-priority thread, since a low-priority thread holding a lock while the
    /// cores are busy with requests would make them wait. Progress comes back through a lock-free queue.</summary>
    TrainingResult Train(TrainingData data, Hyperparameters hp, Action<TrainingProgress> progress, CancellationToken cancellation)
    {
        if (!RunsAtLowPriority(hp))
            return SoftmaxTrainer.Train(data, hp, progress, cancellation);
        var reports = new ConcurrentQueue<TrainingProgress>();
        TrainingResult? result = null;
        var training = lowPriority!.Start(() => result = SoftmaxTrainer.Train(data, hp, reports.Enqueue, cancellation));
        bool finished;
        do
        {
            // Seen finished before the queue is drained, so the last drain gets every report (WaitAny does not throw
            // for the task's own failure).
            finished = Task.WaitAny([training], ProgressInterval) == 0;
            while (reports.TryDequeue(out var report)) progress(report);
        } while (!finished);
        training.GetAwaiter().GetResult(); // the training's exception, as it was thrown
        return result!;
    }

    bool RunsAtLowPriority(Hyperparameters hp) => lowPriority is not null && ISoftmaxImplementation.SafeAtLowPriority(hp.Implementation);

    void QueueFirstTrainingWhenThereIsNoModel(CancellationToken stoppingToken)
    {
        try
        {
            store.RemoveLeftovers();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("Could not look for leftovers of interrupted saves in {Directory}: {Problem}", store.Root, e.Message);
        }
        activation.FirstLoadAttempted.Wait(stoppingToken); // an unreadable store is logged there; this instance then trains
        if (activeModel.Current is not null) return;

        if (options.Value.TrainOnStartup)
        {
            var job = queue.TryEnqueue(TrainingPresets.Default, "default");
            logger.LogInformation("No saved model in {Directory}; training job {Job} queued with the default preset", store.Root, job?.Id);
        }
        else
        {
            logger.LogWarning("No saved model in {Directory} and TrainOnStartup is off: predictions answer 503 until POST /train", store.Root);
        }
    }

    public override void Dispose()
    {
        base.Dispose();
        lowPriority?.Dispose();
        trainingData?.Dispose();
    }

    /// <summary>One job, as TorchSharp's MNIST example reads: train, save, promote, report.</summary>
    void RunJob(TrainingJob job, CancellationToken stoppingToken)
    {
        if (!job.TryStart()) return; // cancelled while queued
        using var logScope = logger.BeginScope("Job {JobId}", job.Id); // on every line logged while it runs, by any class
        metrics.TrainingStarted();
        using var timeLimit = new CancellationTokenSource();
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, job.Cancellation.Token, timeLimit.Token);
        try
        {
            var data = trainingData ??= new TrainingData(datasets.GetAsync(cancellation.Token).GetAwaiter().GetResult());
            timeLimit.CancelAfter(options.Value.MaxJobDuration); // the training itself, not a first download of the dataset
            Started(job);

            var result = Train(data, job.Hyperparameters, progress => Report(job, progress), cancellation.Token);

            // From here on the job can no longer be cancelled: a cancel that came in time wins, later ones get a 409.
            if (!job.TryBeginCommit())
                throw new OperationCanceledException(cancellation.Token);
            var manifest = store.Save(result, data.Dataset.ContentSha256, job.Id, job.Preset, job.Activation);
            var decision = activation.Promote(manifest, result.Weights, job.Activation);

            Succeeded(job, result, manifest, decision);
        }
        catch (OperationCanceledException) when (timeLimit.IsCancellationRequested && !job.Cancellation.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
        {
            TimedOut(job);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            Cancelled(job);
        }
        catch (Exception e)
        {
            Failed(job, e);
        }
    }

    void Started(TrainingJob job)
    {
        var hp = job.Hyperparameters;
        logger.LogInformation("Training job {Job} started: {Implementation}, {Optimizer}, {Epochs} epochs, lr {LearningRate}, batch {BatchSize}",
            job.Id, CamelCaseEnumConverter.Name(hp.Implementation), CamelCaseEnumConverter.Name(hp.Optimizer), hp.Epochs, hp.LearningRate, hp.BatchSize);
    }

    void Report(TrainingJob job, TrainingProgress progress)
    {
        job.Report(progress);
        if (progress.CompletedEpoch is not { } e) return;
        metrics.EpochCompleted(e);
        logger.LogInformation("Job {Job} epoch {Epoch}/{Epochs}: loss {Loss:F4}, train acc {Train:F4}, test acc {Test:F4} ({Seconds:F2} s)",
            job.Id, e.Epoch, progress.Epochs, e.Loss, e.TrainAccuracy, e.TestAccuracy, e.Seconds);
    }

    void Succeeded(TrainingJob job, TrainingResult result, ModelManifest manifest, ActivationDecision decision)
    {
        job.Succeed(manifest.Version, result.Evaluation.TestAccuracy, decision);
        if (decision.Activate)
            logger.LogInformation("Job {Job} succeeded in {Seconds:F2} s: model {Version} is active (test accuracy {Accuracy:P2})",
                job.Id, result.Seconds, manifest.Version, result.Evaluation.TestAccuracy);
        else
            logger.LogInformation("Job {Job} succeeded in {Seconds:F2} s: model {Version} saved, not activated: {Reason}",
                job.Id, result.Seconds, manifest.Version, decision.Reason);
        metrics.TrainingFinished(TrainingJobStatus.Succeeded);
    }

    void TimedOut(TrainingJob job)
    {
        var maxDuration = options.Value.MaxJobDuration;
        job.Fail($"Stopped after running for {maxDuration}, the longest a job may run (MaxJobDuration); the previous model keeps serving. " +
                 "Use fewer epochs or a larger batchSize" +
                 (RunsAtLowPriority(job.Hyperparameters) ? ", or train when the service is less busy: training gives way to requests." : "."));
        logger.LogWarning("Job {Job} stopped at its time limit of {Limit}; model {Version} keeps serving", job.Id, maxDuration, Serving);
        metrics.TrainingFinished(TrainingJobStatus.Failed);
    }

    void Cancelled(TrainingJob job)
    {
        job.MarkCancelled();
        metrics.TrainingFinished(TrainingJobStatus.Cancelled);
        logger.LogInformation("Job {Job} cancelled; model {Version} keeps serving", job.Id, Serving);
    }

    void Failed(TrainingJob job, Exception e)
    {
        job.Fail(StoreProblems.WithoutPaths(e.Message)); // clients read it: no absolute paths of this machine
        metrics.TrainingFinished(TrainingJobStatus.Failed);
        logger.LogError(e, "Job {Job} failed; model {Version} keeps serving", job.Id, Serving);
    }

    string Serving => activeModel.Current?.Manifest.Version ?? "(none)";
}
