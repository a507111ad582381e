using System.ComponentModel.DataAnnotations;

namespace FashionApi.Hosting;

/// <summary>Everything an operator can set, bound from the <c>FashionApi</c> configuration section
/// (appsettings.json, or environment variables such as <c>FashionApi__ApiKey</c>). Validated at start-up. The dataset's
/// settings, in the same section, are <see cref="FashionApi.Dataset.DatasetOptions"/>.</summary>
public sealed class FashionApiOptions
{
    public const string Section = "FashionApi";

    /// <summary>Rules that attributes cannot express; a failure stops start-up naming the setting.</summary>
    internal sealed class SettingRules : Microsoft.Extensions.Options.IValidateOptions<FashionApiOptions>
    {
        public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, FashionApiOptions options) =>
            Problems(options).ToList() is { Count: > 0 } problems
                ? Microsoft.Extensions.Options.ValidateOptionsResult.Fail(problems)
                : Microsoft.Extensions.Options.ValidateOptionsResult.Success;
    }

    static IEnumerable<string> Problems(FashionApiOptions options)
    {
        if (options.ConfiguredApiKey is { } key && ApiKeyRules.Problem(key) is { } problem)
            yield return $"FashionApi:ApiKey is refused: {problem}. Set a random key of {ApiKeyRules.MinimumBytes} bytes or more " +
                         "(for example the output of `openssl rand -base64 32`), or leave it unset to have one generated in the model directory.";
        foreach (string proxy in options.TrustedProxies)
            if (!ForwardedHeadersSetup.IsValid(proxy))
                yield return $"FashionApi:TrustedProxies entry '{proxy}' is neither an IP address nor a CIDR network such as 10.0.0.0/8.";
        foreach (string origin in options.AllowedOrigins)
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.AbsolutePath != "/")
                yield return $"FashionApi:AllowedOrigins entry '{origin}' is not an origin such as https://models.example.com (scheme, host, optional port; no path).";
    }

    /// <summary>Where trained model versions are kept; relative paths are under the content root.</summary>
    [Required] public string ModelDirectory { get; set; } = "data/models";

    /// <summary>Train the default preset in the background when no saved model exists.</summary>
    public bool TrainOnStartup { get; set; } = true;

    /// <summary>Run training below request handling in the OS scheduler (Linux: SCHED_IDLE, else nice 19), so jobs use
    /// the CPU time that serving leaves over. Only <c>fused</c> jobs (both presets) can: <c>scratch</c> and <c>builtin</c>
    /// pass TorchSharp implicitly converted Scalars, which a garbage collection can free mid-call while a low-priority
    /// thread sits descheduled. So with this on, outside Development, <c>scratch</c> and <c>builtin</c> jobs are refused
    /// (400); in Development they run at normal priority. Off: every job runs at normal priority.</summary>
    public bool TrainAtLowPriority { get; set; } = true;

    /// <summary>How many saved versions to keep; older ones are deleted (the active one never is).</summary>
    [Range(1, 1000)] public int KeepVersions { get; set; } = 5;

    /// <summary>The key that training, cancelling, activation and training event streams require in the header
    /// <c>X-Api-Key</c>: at least 16 bytes, not a placeholder (start-up fails otherwise). When unset, outside
    /// Development, a key is generated at first start and kept in <c>{ModelDirectory}/api-key</c> (mode 0600); only in
    /// Development are those routes open without one. See <see cref="ManagementKey"/>.</summary>
    public string? ApiKey { get; set; }

    /// <summary><see cref="ApiKey"/>, with an empty or blank value (an unset environment variable) meaning unset.</summary>
    internal string? ConfiguredApiKey => string.IsNullOrWhiteSpace(ApiKey) ? null : ApiKey;

    /// <summary>Origins (such as <c>https://models.example.com</c>) besides the service's own from which browsers may
    /// call the management routes. A request with an <c>Origin</c> header naming any other site is refused (403).</summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>Reverse proxies (addresses, or CIDR networks such as <c>10.0.0.0/8</c>) whose <c>X-Forwarded-For</c>
    /// and <c>X-Forwarded-Proto</c> are believed, so that per-client limits see the real client behind an Ingress.
    /// Empty (the default): forwarded headers are ignored, whoever sends them.</summary>
    public string[] TrustedProxies { get; set; } = [];

    /// <summary>Most training event streams (<c>GET /train/{id}/events</c>) open at once on one job; 429 beyond.</summary>
    [Range(1, 100_000)] public int MaxEventStreamsPerJob { get; set; } = 32;

    /// <summary>Most training event streams one client (address, IPv6 /64) may hold open at once; 429 beyond.</summary>
    [Range(1, 100_000)] public int MaxEventStreamsPerClient { get; set; } = 8;

    /// <summary>Serve Swagger UI at <c>/swagger</c> and the OpenAPI document. On by default; turn it off on a
    /// deployment facing the internet that does not want to publish its API description.</summary>
    public bool SwaggerEnabled { get; set; } = true;

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

    /// <summary>When set, metrics are answered only on this port (which the service must also listen on, e.g.
    /// <c>ASPNETCORE_HTTP_PORTS=8080;9090</c>), so that what publishes the API port never publishes them.</summary>
    [Range(1, 65535)] public int? MetricsPort { get; set; }

    /// <summary>What this instance does with the shared model store: <c>all</c> (train and serve), <c>serve</c> (serve
    /// only, never writes the store, never loads libtorch) or <c>train</c> (the one trainer of a scaled-out setup).</summary>
    [EnumDataType(typeof(InstanceRole))] public InstanceRole Role { get; set; } = InstanceRole.All;

    /// <summary>How often every instance reads <c>active.json</c> to follow a model activated by another process.
    /// Polling rather than file-system events, which network file systems do not deliver.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")] public TimeSpan ReloadInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a write to the model store waits for the store's lock file (held by another writer) before
    /// it fails with an error saying so (503 for an activation). The wait holds no thread; writers hold the lock for
    /// milliseconds, so a longer wait means a stuck or foreign holder.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")] public TimeSpan StoreLockTimeout { get; set; } = TimeSpan.FromSeconds(5);

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
