using FashionApi.Dataset;
using FashionApi.Inference;
using FashionApi.Model;
using FashionApi.Storage;
using Microsoft.Extensions.Options;

namespace FashionApi.Training;

/// <summary>
/// The background half of the service. At start-up it loads the saved active model (or queues a first training with
/// the <c>default</c> preset when there is none and <c>TrainOnStartup</c> is on); then it runs queued jobs one at a
/// time. A job's model becomes active only once it is saved whole; a failed or cancelled job changes nothing.
/// </summary>
public sealed class TrainingWorker(
    TrainingJobQueue queue,
    DatasetProvider datasets,
    ModelStore store,
    ActiveModel activeModel,
    IOptions<FashionApiOptions> options,
    ILogger<TrainingWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // let the web host start answering while the model loads
        TorchSharp.torch.set_num_threads(options.Value.TrainingThreads);
        LoadSavedModel();
        if (activeModel.Current is null)
        {
            if (options.Value.TrainOnStartup)
            {
                var job = queue.Enqueue(TrainingPresets.Default, "default");
                logger.LogInformation("No saved model in {Directory}; training job {Job} queued with the default preset", store.Root, job.Id);
            }
            else
            {
                logger.LogWarning("No saved model in {Directory} and TrainOnStartup is off: predictions answer 503 until POST /train", store.Root);
            }
        }

        try
        {
            await foreach (var job in queue.ReadAllAsync(stoppingToken))
                await RunAsync(job, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down
        }
    }

    void LoadSavedModel()
    {
        if (activeModel.LoadSaved() is { } manifest)
            logger.LogInformation("Model {Version} loaded from {Directory} (test accuracy {Accuracy:P2})",
                manifest.Version, store.Root, manifest.Evaluation.TestAccuracy);
    }

    async Task RunAsync(TrainingJob job, CancellationToken stoppingToken)
    {
        if (!job.TryStart()) return; // cancelled while queued
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, job.Cancellation.Token);
        var hp = job.Hyperparameters;
        try
        {
            var data = await datasets.GetAsync(cancellation.Token);
            logger.LogInformation("Training job {Job} started: {Implementation}, {Optimizer}, {Epochs} epochs, lr {LearningRate}, batch {BatchSize}",
                job.Id, hp.Implementation, hp.Optimizer, hp.Epochs, hp.LearningRate, hp.BatchSize);
            var result = await Task.Run(() => SoftmaxTrainer.Train(data, hp, progress =>
            {
                job.Report(progress);
                if (progress.CompletedEpoch is { } e)
                    logger.LogInformation("Job {Job} epoch {Epoch}/{Epochs}: loss {Loss:F4}, train acc {Train:F4}, test acc {Test:F4} ({Seconds:F2} s)",
                        job.Id, e.Epoch, hp.Epochs, e.Loss, e.TrainAccuracy, e.TestAccuracy, e.Seconds);
            }, cancellation.Token), cancellation.Token);

            var manifest = store.Save(result, data.ContentSha256, job.Id);
            activeModel.Activate(manifest, result.Weights);
            store.Prune();
            job.Succeed(manifest.Version, result.Evaluation.TestAccuracy);
            logger.LogInformation("Job {Job} succeeded in {Seconds:F2} s: model {Version} is active (test accuracy {Accuracy:P2})",
                job.Id, result.Seconds, manifest.Version, result.Evaluation.TestAccuracy);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            job.MarkCancelled();
            logger.LogInformation("Job {Job} cancelled; model {Version} keeps serving", job.Id, activeModel.Current?.Manifest.Version ?? "(none)");
        }
        catch (Exception e)
        {
            job.Fail(e.Message);
            logger.LogError(e, "Job {Job} failed; model {Version} keeps serving", job.Id, activeModel.Current?.Manifest.Version ?? "(none)");
        }
    }
}
