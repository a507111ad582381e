using System.Diagnostics;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;

namespace FashionApi.Training;

/// <summary>
/// A training job as a stream of Server-Sent Events: <c>snapshot</c> (the job as it is when the listener joins),
/// then <c>progress</c> as minibatches complete, one <c>epoch</c> per finished epoch, and <c>done</c> with the final
/// job when it ends, after which the stream closes. Each listener is an async iterator awaiting the job's next change,
/// so it holds no thread. Changes are gathered for <see cref="Interval"/> after each event sent (a job can report
/// tens of thousands of minibatches a second), so progress is the latest at that moment; epochs are never skipped.
/// The stream also ends, cleanly, when its cancellation token fires (the client left, or shutdown).
/// </summary>
public static class TrainingEventStream
{
    public const string Snapshot = "snapshot", Progress = "progress", Epoch = "epoch", Done = "done";
    static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    public static async IAsyncEnumerable<SseItem<object>> Follow(TrainingJob job, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var change = job.NextChange();
        var snapshot = job.Snapshot();
        yield return new(snapshot, Snapshot);
        int epochsSent = snapshot.History.Count;
        var progressSent = snapshot.Progress;
        long sentAt = Stopwatch.GetTimestamp();

        while (!IsFinished(snapshot.Status))
        {
            if (!await Completes(change, cancellationToken)) yield break;
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

    /// <summary>False when the wait was cut short by <paramref name="cancellationToken"/>, so the stream can end
    /// normally instead of with an exception.</summary>
    static async Task<bool> Completes(Task task, CancellationToken cancellationToken)
    {
        try
        {
            await task.WaitAsync(cancellationToken);
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    static bool IsFinished(TrainingJobStatus status) => status is not (TrainingJobStatus.Queued or TrainingJobStatus.Running);
}

/// <summary>The <c>progress</c> event: where a running job is.</summary>
public sealed record ProgressEvent(TrainingJobStatus Status, JobProgress Progress);
