using System.ComponentModel.DataAnnotations;

namespace FashionApi.Dataset;

/// <summary>Where the dataset is found or fetched: the dataset's part of the <c>FashionApi</c> configuration section
/// (the keys are the same as ever, e.g. <c>FashionApi__DataDirectory</c>). Its own class so that <c>Dataset/</c>
/// depends on nothing else of the service. Validated at start-up.</summary>
public sealed class DatasetOptions
{
    public const string Section = "FashionApi";

    /// <summary>A directory holding the four Fashion-MNIST files; searched before the defaults.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>Where the dataset is looked for second and downloaded to; relative paths are under the content root.</summary>
    [Required] public string DatasetCacheDirectory { get; set; } = "data/fashion-mnist";

    /// <summary>Where the dataset is downloaded from when no local copy is found.</summary>
    [Required, Url] public string DatasetDownloadUrl { get; set; } = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/";
}
