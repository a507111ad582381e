using System.Runtime.InteropServices;
using FashionApi.Hosting;
using Microsoft.Extensions.Options;

namespace FashionApi.Models;

/// <summary>
/// On instances that train: checks at start-up, and then periodically, that the model store can be written (directory,
/// lock file, a new file), so that a root-owned volume, a read-only mount or a full disk makes the instance not ready
/// (<c>/health/ready</c> says why) with one log line saying what to fix, rather than failing every job and activation.
/// Checked every <see cref="HealthyInterval"/> while writable, every <see cref="FailingInterval"/> while not, so the
/// instance becomes ready soon after the volume is fixed.
/// </summary>
public sealed class StoreWritabilityMonitor(ModelStore store, IOptions<FashionApiOptions> options, ILogger<StoreWritabilityMonitor> logger)
    : BackgroundService
{
    static readonly TimeSpan HealthyInterval = TimeSpan.FromSeconds(30), FailingInterval = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Role.Trains()) return;
        string? reported = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            string? problem = await Task.Run(store.CheckWritable, stoppingToken); // file I/O, off the caller's thread
            if (problem != reported)
            {
                if (problem is not null)
                    logger.LogError("The model store {Directory} cannot be written by this process (uid {Uid}): {Problem} " +
                                    "Until it can, this instance reports not ready and cannot train or activate models", store.Root, UserId(), problem);
                else if (reported is not null)
                    logger.LogInformation("The model store {Directory} is writable again", store.Root);
                reported = problem;
            }
            try
            {
                await Task.Delay(problem is null ? HealthyInterval : FailingInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    static string UserId() => OperatingSystem.IsWindows() ? "n/a" : geteuid().ToString(System.Globalization.CultureInfo.InvariantCulture);

    [DllImport("libc")]
    static extern uint geteuid();
}
