using FashionApi.Hosting;
using FashionApi.Softmax;
using Microsoft.Extensions.Options;

namespace FashionApi.Models;

/// <summary>
/// Keeps this instance serving the model the shared store names as active, whichever process activated it: every
/// <c>ReloadInterval</c> it reads <c>active.json</c> and switches when it names another version (polling, because
/// file-system events do not arrive on network file systems). Runs in every role. An instance with Role
/// <c>serve</c> also loads its first model here, and becomes ready as soon as a trainer has activated one.
/// </summary>
public sealed class ActiveModelReloader(
    ActiveModel activeModel, ModelStore store, FashionApiMetrics metrics, IOptions<FashionApiOptions> options, ILogger<ActiveModelReloader> logger)
    : BackgroundService
{
    string? lastProblem; // the failure last logged, so a version that stays broken is logged once, not every poll

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        bool loadsFirstModel = !options.Value.Role.Trains(); // otherwise the TrainingWorker does, and may train one
        using var timer = new PeriodicTimer(options.Value.ReloadInterval);
        do
        {
            try
            {
                if (loadsFirstModel && activeModel.Current is null)
                    FirstModel();
                else
                    Follow();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Checking the model store for a newly activated model failed; trying again in {Interval}", options.Value.ReloadInterval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    void FirstModel()
    {
        // Only once a trainer has activated something: a version merely saved (say, a job whose policy did not
        // promote it) is not for serving. A damaged active version falls back to the newest whole one, as at start-up.
        if (store.ActiveVersion() is null) return;
        if (activeModel.LoadSaved() is { } manifest)
            logger.LogInformation("Model {Version} loaded from the store (test accuracy {Accuracy:P2}); ready to serve",
                manifest.Version, manifest.Evaluation.TestAccuracy);
    }

    void Follow()
    {
        var result = activeModel.FollowStore();
        switch (result.Outcome)
        {
            case StoreFollowOutcome.Switched:
                Reloaded(result);
                break;
            case StoreFollowOutcome.Failed:
                ReloadFailed(result);
                break;
        }
    }

    /// <summary>The one place a reload from the store succeeds.</summary>
    void Reloaded(StoreFollowResult result)
    {
        lastProblem = null;
        metrics.Reloaded();
        logger.LogInformation("Model {Version} was activated in the store and now serves here (was {Previous})",
            result.Wanted, result.Previous ?? "none");
    }

    /// <summary>The one place a reload from the store fails: the current model keeps serving, the next poll retries.</summary>
    void ReloadFailed(StoreFollowResult result)
    {
        string problem = $"{result.Wanted}: {result.Problem}";
        var level = problem == lastProblem ? LogLevel.Debug : LogLevel.Warning;
        lastProblem = problem;
        metrics.ReloadFailed();
        logger.Log(level, "Model {Version} is active in the store but cannot be served yet ({Problem}); {Previous} keeps serving, trying again in {Interval}",
            result.Wanted, result.Problem, result.Previous ?? "no model", options.Value.ReloadInterval);
    }
}
