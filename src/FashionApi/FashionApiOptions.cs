using System.ComponentModel.DataAnnotations;

namespace FashionApi;

/// <summary>Everything an operator can set, bound from the <c>FashionApi</c> configuration section
/// (appsettings.json, or environment variables such as <c>FashionApi__ApiKey</c>). Validated at start-up.</summary>
public sealed class FashionApiOptions
{
    public const string Section = "FashionApi";

    /// <summary>A directory holding the four Fashion-MNIST files; searched before the defaults.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>Where the dataset is looked for second and downloaded to; relative paths are under the content root.</summary>
    [Required] public string DatasetCacheDirectory { get; set; } = "data/fashion-mnist";

    /// <summary>Where trained model versions are kept; relative paths are under the content root.</summary>
    [Required] public string ModelDirectory { get; set; } = "data/models";

    /// <summary>Train the default preset in the background when no saved model exists.</summary>
    public bool TrainOnStartup { get; set; } = true;

    /// <summary>Threads a training job uses: 1, or 2 to run the <c>scratch</c> implementation's matrix products on two
    /// cores at once (about 1.4 times as fast; the weights are the same). 2 by default where there are two cores.
    /// libtorch's own thread pool is not used: at these sizes it was slower than one thread, and up to ten times slower
    /// on cores shared with request serving.</summary>
    [Range(1, 2)] public int TrainingThreads { get; set; } = Math.Min(2, Environment.ProcessorCount);

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

    /// <summary>Where the dataset is downloaded from when no local copy is found.</summary>
    [Required, Url] public string DatasetDownloadUrl { get; set; } = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/";
}
