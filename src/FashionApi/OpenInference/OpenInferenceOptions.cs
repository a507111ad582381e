using System.ComponentModel.DataAnnotations;

namespace FashionApi.OpenInference;

/// <summary>The Open Inference Protocol's settings, bound from the <c>OpenInference</c> configuration section
/// (e.g. <c>OpenInference__ModelName</c>). Limits on images and batches are <see cref="Hosting.FashionApiOptions"/>' own.</summary>
public sealed class OpenInferenceOptions
{
    public const string Section = "OpenInference";

    /// <summary>The name the model is served under: <c>/v2/models/{ModelName}</c>, gRPC's <c>model_name</c>.</summary>
    [Required, RegularExpression("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$",
        ErrorMessage = "OpenInference:ModelName must be 1–100 letters, digits, '.', '_' or '-', starting with a letter or digit.")]
    public string ModelName { get; set; } = "fashion-mnist";

    /// <summary>How many saved versions other than the active one stay loaded for versioned requests (each about
    /// 32 KB); the least recently used is dropped beyond this.</summary>
    [Range(1, 100)] public int VersionCacheSize { get; set; } = 4;

    /// <summary>Largest infer request (REST body or gRPC message), in bytes. The body is held in memory while it is
    /// answered, so this bounds what one request costs: 16 MiB holds 256 images as JSON numbers (about 5 MB) or a few
    /// hundred photos as BYTES; larger batches of large photos go to <c>POST /predict/batch</c>, which streams them.</summary>
    [Range(1024, 1024 * 1024 * 1024)] public int MaxRequestBytes { get; set; } = 16 * 1024 * 1024;
}
