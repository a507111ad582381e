using FashionApi.Hosting;
using Microsoft.Extensions.Options;

namespace FashionApi.Models;

/// <summary>
/// Loads this instance's first model, in every role, and keeps it serving the model the shared store names as active,
/// whichever process activated it: every <c>ReloadInterval</c> it reads <c>active.json</c> and switches when it names
/// another version (polling, because file-system events do not arrive on network file systems). An instance with Role
/// <c>serve</c> keeps looking for its first model until a trainer has activated one; the switching itself is
/// <see cref="ModelActivation"/>'s.
/// </summary>
public sealed class ActiveModelReloader(
    ModelActivation activation, ActiveModel activeModel, FashionApiMetrics metrics, IOptions<FashionApiOptions> options, ILogger<ActiveModelReloader> logger)
    : BackgroundService
{
    string? lastProblem; // the failure last logged, so a version that stays broken is logged once, not every poll

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A trainer that finds no model trains one, and that activation switches it; a server waits for one.
        bool waitsForFirstModel = !options.Value.Role.Trains();
        bool first = true;
        using var timer = new PeriodicTimer(options.Value.ReloadInterval);
        do
        {
            try
            {
                if (first || (waitsForFirstModel && activeModel.Current is null))
                    FirstModel();
                else
                    Follow();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, first ? "Could not load a saved model from the store; trying again in {Interval}"
                    : "Checking the model store for a newly activated model failed; trying again in {Interval}", options.Value.ReloadInterval);
            }
            first = false;
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    void FirstModel() => activation.LoadFirst();

    void Follow()
    {
        var result = activation.Follow();
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
