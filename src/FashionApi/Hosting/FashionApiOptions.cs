using System.ComponentModel.DataAnnotations;

namespace FashionApi.Hosting;

/// <summary>Everything an operator can set, bound from the <c>FashionApi</c> configuration section
/// (appsettings.json, or environment variables such as <c>FashionApi__ApiKey</c>). Validated at start-up. The dataset's
/// settings, in the same section, are <see cref="FashionApi.Dataset.DatasetOptions"/>.</summary>
public sealed class FashionApiOptions
{
    public const string Section = "FashionApi";

    /// <summary>Where trained model versions are kept; relative paths are under the content root.</summary>
    [Required] public string ModelDirectory { get; set; } = "data/models";

    /// <summary>Train the default preset in the background when no saved model exists.</summary>
    public bool TrainOnStartup { get; set; } = true;

    /// <summary>Run training below request handling in the OS scheduler (Linux: SCHED_IDLE, else nice 19), so jobs use
    /// the CPU time that serving leaves over. Applies to <c>fused</c> jobs (both presets) only: <c>scratch</c> and
    /// <c>builtin</c> pass TorchSharp implicitly converted Scalars, which a garbage collection can free mid-call while a
    /// low-priority thread sits descheduled, so they run at normal priority.</summary>
    public bool TrainAtLowPriority { get; set; } = true;

    /// <summary>How many saved versions to keep; older ones are deleted (the active one never is).</summary>
    [Range(1, 1000)] public int KeepVersions { get; set; } = 5;

    /// <summary>When set, training and model activation require the header <c>X-Api-Key</c> with this value.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Largest accepted image, in bytes (each image of a batch counts on its own).</summary>
    [Range(1, 64 * 1024 * 1024)] public int MaxImageBytes { get; set; } = 1024 * 1024;

    /// <summary>Largest accepted image area, read from its header before decoding (guards decompression bombs). 2048×2048
    /// keeps the costliest accepted image (a WebP) under about 0.4 s of CPU and 32 MB; the model sees 28×28.</summary>
    [Range(1, 100_000_000)] public long MaxImagePixels { get; set; } = 2048L * 2048;

    /// <summary>Most time one request may spend decoding its images (all of a batch's together); 413 beyond.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")] public TimeSpan MaxDecodingTime { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Most images in one <c>POST /predict/batch</c>.</summary>
    [Range(1, 100_000)] public int MaxBatchSize { get; set; } = 256;

    /// <summary>Most training jobs waiting to run (the running one not counted); <c>POST /train</c> answers 429 beyond.</summary>
    [Range(1, 1000)] public int MaxQueuedJobs { get; set; } = 4;

    /// <summary>Longest one training job may run; after that it fails and the active model keeps serving.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")] public TimeSpan MaxJobDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Requests per minute one client may make to the management routes (<c>POST /train</c>,
    /// <c>DELETE /train/{id}</c>, <c>POST /models/{version}/activate</c>); 0 turns the limit off. A client is its IP
    /// address, or the API key when it presents the right one.</summary>
    [Range(0, 1_000_000)] public int ManagementRequestsPerMinute { get; set; } = 30;

    /// <summary>Requests per second one client may make to <c>POST /predict</c> and <c>/predict/batch</c>; 0 (the
    /// default) means no limit.</summary>
    [Range(0, 1_000_000)] public int PredictionRequestsPerSecond { get; set; }

    /// <summary>How many finished training jobs <c>GET /train</c> remembers.</summary>
    [Range(1, 10_000)] public int JobHistory { get; set; } = 50;

    /// <summary>Serve Prometheus metrics (OpenTelemetry) at <see cref="MetricsPath"/>.</summary>
    public bool MetricsEnabled { get; set; } = true;

    /// <summary>Where Prometheus scrapes the metrics.</summary>
    [Required, RegularExpression("^/.*", ErrorMessage = "MetricsPath must start with '/'.")] public string MetricsPath { get; set; } = "/metrics";

    /// <summary>What this instance does with the shared model store: <c>all</c> (train and serve), <c>serve</c> (serve
    /// only, never writes the store, never loads libtorch) or <c>train</c> (the one trainer of a scaled-out setup).</summary>
    [EnumDataType(typeof(InstanceRole))] public InstanceRole Role { get; set; } = InstanceRole.All;

    /// <summary>How often every instance reads <c>active.json</c> to follow a model activated by another process.
    /// Polling rather than file-system events, which network file systems do not deliver.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")] public TimeSpan ReloadInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a write to the model store waits for the store's lock file (held by another writer) before
    /// it fails with an error saying so.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")] public TimeSpan StoreLockTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>A <c>.staging-*</c> or <c>.deleting-*</c> folder older than this is taken for the leftover of a crashed
    /// writer and removed; younger ones may still be being written by another process and are left alone.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")] public TimeSpan StaleLeftoverAge { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Pruning never deletes a version saved, or active at any moment, within this period: a serving replica
    /// may be loading it right now.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")] public TimeSpan PruneGracePeriod { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>What an instance does; see <see cref="FashionApiOptions.Role"/>.</summary>
public enum InstanceRole
{
    /// <summary>Trains and serves (one process does everything).</summary>
    All,
    /// <summary>Serves the active model of the shared store, follows activations, never writes.</summary>
    Serve,
    /// <summary>Trains, saves, activates and prunes; serves too.</summary>
    Train,
}

public static class InstanceRoleExtensions
{
    /// <summary>Whether instances of this role train, and so write to the model store.</summary>
    public static bool Trains(this InstanceRole role) => role != InstanceRole.Serve;
}
