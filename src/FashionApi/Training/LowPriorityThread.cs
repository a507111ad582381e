using FashionApi.Softmax;
using System.Collections.Concurrent;

namespace FashionApi.Training;

/// <summary>
/// One long-lived thread below request handling (see <see cref="TrainingThreadPriority"/>) that runs work handed to it.
/// The training worker keeps its own thread at normal priority and hands over only the computation of jobs that are
/// safe at low priority: a thread cannot raise its priority back once lowered, and a new thread would inherit the
/// lowered one. Long-lived for the same reason as the worker's thread: libtorch's per-thread allocator arenas.
/// </summary>
public sealed class LowPriorityThread : IDisposable
{
    readonly BlockingCollection<(Action Work, ExecutionContext? Context, TaskCompletionSource Done)> queue = new();

    public LowPriorityThread()
    {
        using var lowered = new ManualResetEventSlim();
        new Thread(() =>
        {
            Priority = TrainingThreadPriority.LowerCurrentThread();
            lowered.Set();
            foreach (var (work, context, done) in queue.GetConsumingEnumerable())
            {
                try
                {
                    if (context is null) work();
                    else ExecutionContext.Run(context, _ => work(), null);
                    done.SetResult();
                }
                catch (Exception e)
                {
                    done.SetException(e);
                }
            }
        }) { IsBackground = true, Name = "Training (low priority)" }.Start();
        lowered.Wait();
    }

    /// <summary>What lowering the thread did (or why not), for the log.</summary>
    public string Priority { get; private set; } = "";

    /// <summary>Queues <paramref name="work"/> for the low-priority thread; the task ends when it has run, with its
    /// exception if it threw. It runs in the caller's execution context, so the caller's log scopes (the job id) are on
    /// what it logs.</summary>
    public Task Start(Action work)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        queue.Add((work, ExecutionContext.Capture(), done));
        return done.Task;
    }

    public void Dispose() => queue.CompleteAdding();
}
