using System.Diagnostics;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using FashionApi.Softmax;

namespace FashionApi.Training;

/// <summary>
/// A training job as a stream of Server-Sent Events: <c>snapshot</c> (the job as it is when the listener joins),
/// then <c>progress</c> as minibatches complete, one <c>epoch</c> per finished epoch, and <c>done</c> with the final
/// job when it ends, after which the stream closes. Each listener is an async iterator awaiting the job's next change,
/// so it holds no thread. Changes are gathered for <see cref="Interval"/> after each event sent (a job can report
/// tens of thousands of minibatches a second), so progress is the latest at that moment; epochs are never skipped.
/// The stream also ends, cleanly, when its cancellation token fires (the client left, or shutdown).
/// A job waiting in the queue, or starved of CPU at low priority, can go quiet for minutes, and proxies and load
/// balancers close connections that carry nothing for a while (often 60 s): so after <see cref="KeepAliveInterval"/>
/// without an event, a <c>keepalive</c> event with the job's status is sent (EventSource ignores event types it has no
/// listener for).
/// </summary>
public static class TrainingEventStream
{
    public const string Snapshot = "snapshot", Progress = "progress", Epoch = "epoch", Done = "done", KeepAlive = "keepalive";
    static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(15);

    public static async IAsyncEnumerable<SseItem<object>> Follow(TrainingJob job, [EnumeratorCancellation] CancellationToken cancellationToken,
        TimeSpan? keepAliveInterval = null)
    {
        var quietLimit = keepAliveInterval ?? KeepAliveInterval;
        var change = job.NextChange();
        var snapshot = job.Snapshot();
        yield return new(snapshot, Snapshot);
        int epochsSent = snapshot.History.Count;
        var progressSent = snapshot.Progress;
        long sentAt = Stopwatch.GetTimestamp();

        while (!IsFinished(snapshot.Status))
        {
            switch (await WaitFor(change, quietLimit, cancellationToken))
            {
                case Waited.Cancelled:
                    yield break;
                case Waited.Quiet:
                    yield return new(new KeepAliveEvent(job.Status), KeepAlive);
                    continue;
            }
            var rest = Interval - Stopwatch.GetElapsedTime(sentAt);
            if (rest > TimeSpan.Zero && !await Completes(Task.Delay(rest, cancellationToken), cancellationToken)) yield break;

            change = job.NextChange();
            snapshot = job.Snapshot();
            sentAt = Stopwatch.GetTimestamp();
            foreach (var epoch in snapshot.History.Skip(epochsSent))
                yield return new(epoch, Epoch);
            epochsSent = snapshot.History.Count;
            if (snapshot.Progress != progressSent && !IsFinished(snapshot.Status))
            {
                progressSent = snapshot.Progress;
                yield return new(new ProgressEvent(snapshot.Status, snapshot.Progress), Progress);
            }
        }
        yield return new(snapshot, Done);
    }

    enum Waited { Changed, Quiet, Cancelled }

    /// <summary>How waiting for the job's next change ended: a cut-short wait is reported rather than thrown, so the
    /// stream can end normally instead of with an exception.</summary>
    static async Task<Waited> WaitFor(Task change, TimeSpan quietLimit, CancellationToken cancellationToken)
    {
        try
        {
            await change.WaitAsync(quietLimit, cancellationToken);
            return Waited.Changed;
        }
        catch (TimeoutException)
        {
            return Waited.Quiet;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Waited.Cancelled;
        }
    }

    /// <summary>False when the wait was cut short by <paramref name="cancellationToken"/>.</summary>
    static async Task<bool> Completes(Task task, CancellationToken cancellationToken) =>
        await WaitFor(task, Timeout.InfiniteTimeSpan, cancellationToken) == Waited.Changed;

    static bool IsFinished(TrainingJobStatus status) => status is not (TrainingJobStatus.Queued or TrainingJobStatus.Running);
}

/// <summary>The <c>keepalive</c> event: nothing was sent for a while; the job's status as it is now.</summary>
public sealed record KeepAliveEvent(TrainingJobStatus Status);

/// <summary>The <c>progress</c> event: where a running job is.</summary>
public sealed record ProgressEvent(TrainingJobStatus Status, TrainingProgress Progress);
