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

    /// <summary>How many saved versions to keep; older ones are deleted (the active one never is).</summary>
    [Range(1, 1000)] public int KeepVersions { get; set; } = 5;

    /// <summary>When set, training and model activation require the header <c>X-Api-Key</c> with this value.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Largest accepted image, in bytes (each image of a batch counts on its own).</summary>
    [Range(1, 64 * 1024 * 1024)] public int MaxImageBytes { get; set; } = 1024 * 1024;

    /// <summary>Largest accepted image area, read from its header before decoding (guards decompression bombs).</summary>
    [Range(1, 100_000_000)] public long MaxImagePixels { get; set; } = 4096L * 4096;

    /// <summary>Most images in one <c>POST /predict/batch</c>.</summary>
    [Range(1, 100_000)] public int MaxBatchSize { get; set; } = 256;

    /// <summary>How many finished training jobs <c>GET /train</c> remembers.</summary>
    [Range(1, 10_000)] public int JobHistory { get; set; } = 50;

    /// <summary>Serve Prometheus metrics (OpenTelemetry) at <see cref="MetricsPath"/>.</summary>
    public bool MetricsEnabled { get; set; } = true;

    /// <summary>Where Prometheus scrapes the metrics.</summary>
    [Required, RegularExpression("^/.*", ErrorMessage = "MetricsPath must start with '/'.")] public string MetricsPath { get; set; } = "/metrics";

    /// <summary>Where the dataset is downloaded from when no local copy is found.</summary>
    [Required, Url] public string DatasetDownloadUrl { get; set; } = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/";
}
