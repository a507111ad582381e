namespace FashionApi.Hosting;

/// <summary>Why a request was refused. Every refusal carries one, so refusals can be counted and logged by kind; it is
/// spelled in camelCase (<c>unknownVersion</c>) in problem details, metrics and logs alike.</summary>
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
    /// <summary>An Open Inference Protocol model name this server does not serve.</summary>
    UnknownModel,
    /// <summary>An Open Inference Protocol tensor of the wrong name, datatype or shape, or whose binary data does not
    /// add up.</summary>
    InvalidTensor,
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
    /// <summary>A guarded operation requested from another web site's page.</summary>
    CrossSiteRequest,
    /// <summary>Too many training event streams open on one job or from one client.</summary>
    TooManyEventStreams,
    /// <summary>A client over its request rate.</summary>
    RateLimited,
    /// <summary>The training queue already holds as many jobs as allowed.</summary>
    TrainingQueueFull,
    /// <summary>No training job with that id is known (never queued, or forgotten after finishing).</summary>
    UnknownJob,
    /// <summary>A job that has finished, or is saving its model, can no longer be cancelled.</summary>
    JobNotCancellable,
    /// <summary>No saved model version of that name.</summary>
    UnknownVersion,
    /// <summary>A saved model version whose files cannot be read as a model.</summary>
    DamagedVersion,
    /// <summary>No test-set image with that index.</summary>
    UnknownSample,
    /// <summary>A request that changes the model store, sent to an instance with Role serve.</summary>
    NotTrainingInstance,
    /// <summary>No model is serving yet (503).</summary>
    ModelNotReady,
    /// <summary>Another writer holds the model store's lock for longer than a write waits (503).</summary>
    StoreBusy,
    /// <summary>The model store cannot be written: permissions, a read-only or a full file system (503).</summary>
    StoreUnavailable,
    /// <summary>The Fashion-MNIST test set is not on this server (503).</summary>
    DatasetUnavailable,
}
