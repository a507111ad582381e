using FashionApi.Hosting;
using FashionApi.Softmax;

namespace FashionApi.Predictions;

/// <summary>The time one request may spend decoding and preparing its images (<c>MaxDecodingTime</c>, 1 s by
/// default), shared by all images of a batch. ImageSharp's decoders check the token as they go, so a file that is
/// slow to decode is stopped rather than left to run; the request gets a 413 saying so.</summary>
public sealed class DecodingBudget : IDisposable
{
    readonly CancellationTokenSource deadline;
    readonly CancellationToken aborted;
    readonly TimeSpan limit;

    DecodingBudget(CancellationToken aborted, TimeSpan limit)
    {
        this.aborted = aborted;
        this.limit = limit;
        deadline = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        deadline.CancelAfter(limit);
    }

    public static DecodingBudget Start(HttpRequest request, FashionApiOptions options) =>
        new(request.HttpContext.RequestAborted, options.MaxDecodingTime);

    /// <summary>Runs one image's work within what is left of the budget.</summary>
    public T Run<T>(Func<CancellationToken, T> work)
    {
        try
        {
            deadline.Token.ThrowIfCancellationRequested();
            return work(deadline.Token);
        }
        catch (OperationCanceledException e) when (deadline.IsCancellationRequested && !aborted.IsCancellationRequested)
        {
            throw new RequestRejectedException(RejectionReason.DecodingTimeExceeded,
                $"Decoding the images took longer than {limit.TotalSeconds:0.###} s, the limit per request; send fewer, smaller or simpler images.",
                StatusCodes.Status413PayloadTooLarge, e);
        }
    }

    public void Dispose() => deadline.Dispose();
}
