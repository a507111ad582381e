using System.Collections.Concurrent;

namespace FashionApi.Training;

/// <summary>
/// One long-lived thread below request handling (see <see cref="TrainingThreadPriority"/>) that runs work handed to it
/// while the caller waits. The training worker keeps its own thread at normal priority and hands over only the jobs
/// that are safe at low priority: a thread cannot raise its priority back once lowered, and a new thread would inherit
/// the lowered one. Long-lived for the same reason as the worker's thread: libtorch's per-thread allocator arenas.
/// </summary>
public sealed class LowPriorityThread : IDisposable
{
    readonly BlockingCollection<(Action Work, TaskCompletionSource Done)> queue = new();

    public LowPriorityThread()
    {
        using var lowered = new ManualResetEventSlim();
        new Thread(() =>
        {
            Priority = TrainingThreadPriority.LowerCurrentThread();
            lowered.Set();
            foreach (var (work, done) in queue.GetConsumingEnumerable())
            {
                try
                {
                    work();
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

    /// <summary>Runs <paramref name="work"/> on the low-priority thread and returns when it has finished.</summary>
    public void Run(Action work)
    {
        var done = new TaskCompletionSource();
        queue.Add((work, done));
        done.Task.GetAwaiter().GetResult();
    }

    public void Dispose() => queue.CompleteAdding();
}
