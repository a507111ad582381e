namespace FashionApi.Hosting;

/// <summary>Why a request was refused. Every refusal carries one, so refusals can be counted and logged by kind.</summary>
public enum RejectionReason
{
    /// <summary>Kestrel's own verdict on malformed HTTP (request line, headers, chunked framing).</summary>
    MalformedHttp,
    /// <summary>No such route or method (answered by the framework).</summary>
    UnknownRoute,
    /// <summary>A query or route value that is not understood.</summary>
    InvalidParameter,
    /// <summary>A body was needed and none (or an empty one) came.</summary>
    EmptyBody,
    /// <summary>A Content-Type, charset or image format that is not accepted.</summary>
    UnsupportedMediaType,
    /// <summary>JSON that does not parse or does not fit the request's shape.</summary>
    InvalidJson,
    /// <summary>A multipart body that is malformed, ends early or lacks the expected field.</summary>
    MalformedMultipart,
    /// <summary>Pixel values of the wrong count or range.</summary>
    InvalidPixels,
    /// <summary>Training values out of range or unknown.</summary>
    InvalidHyperparameters,
    /// <summary>Bytes that a decoder of an accepted format could not turn into pixels.</summary>
    UndecodableImage,
    /// <summary>A body, or one image in it, over its byte limit.</summary>
    BodyTooLarge,
    /// <summary>An image whose header announces more pixels than allowed.</summary>
    ImageTooLarge,
    /// <summary>More images in one batch than allowed.</summary>
    BatchTooLarge,
    /// <summary>Images that took longer than the per-request decoding budget.</summary>
    DecodingTimeExceeded,
    /// <summary>A guarded operation without the right API key.</summary>
    ApiKeyRequired,
    /// <summary>A client over its request rate.</summary>
    RateLimited,
    /// <summary>The training queue already holds as many jobs as allowed.</summary>
    TrainingQueueFull,
}
