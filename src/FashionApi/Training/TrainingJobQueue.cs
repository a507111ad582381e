using System.Collections.Concurrent;
using System.Threading.Channels;
using FashionApi.Hosting;
using FashionApi.Models;
using FashionApi.Softmax;
using Microsoft.Extensions.Options;

namespace FashionApi.Training;

/// <summary>Training jobs waiting for, or taken by, the <see cref="TrainingWorker"/>, which runs them one at a time
/// in the order they were queued. At most <c>MaxQueuedJobs</c> wait at once; remembers a bounded number of finished jobs
/// for <c>GET /train</c>.</summary>
public sealed class TrainingJobQueue(IOptions<FashionApiOptions> options)
{
    readonly Channel<TrainingJob> pending = Channel.CreateUnbounded<TrainingJob>(new UnboundedChannelOptions { SingleReader = true });
    readonly ConcurrentDictionary<string, TrainingJob> jobs = new();
    readonly Lock admission = new();

    /// <summary>Queues a job, or returns null when <c>MaxQueuedJobs</c> are already waiting.</summary>
    public TrainingJob? TryEnqueue(Hyperparameters hyperparameters, string? preset, ActivationPolicy activation = ActivationPolicy.Always)
    {
        lock (admission)
        {
            if (Waiting >= options.Value.MaxQueuedJobs) return null;
            var job = new TrainingJob(Guid.NewGuid().ToString("N")[..12], preset, hyperparameters, activation);
            jobs[job.Id] = job;
            Forget();
            if (!pending.Writer.TryWrite(job))
                throw new InvalidOperationException("The training queue is closed.");
            return job;
        }
    }

    /// <summary>Jobs queued and not yet started or cancelled.</summary>
    public int Waiting => jobs.Values.Count(j => j.Status == TrainingJobStatus.Queued);

    public TrainingJob? Find(string id) => jobs.GetValueOrDefault(id);

    /// <summary>All remembered jobs, newest first.</summary>
    public IReadOnlyList<TrainingJob> List() => jobs.Values.OrderByDescending(j => j.CreatedAt).ToList();

    /// <summary>Jobs waiting for their turn.</summary>
    public int QueuedCount => jobs.Values.Count(j => j.Status == TrainingJobStatus.Queued);

    /// <summary>The job being trained now, if any.</summary>
    public TrainingJob? Running => jobs.Values.FirstOrDefault(j => j.Status == TrainingJobStatus.Running);

    /// <summary>Blocks until a job is queued; null once <paramref name="stopping"/> is cancelled.</summary>
    public TrainingJob? Take(CancellationToken stopping)
    {
        try
        {
            while (pending.Reader.WaitToReadAsync(stopping).AsTask().GetAwaiter().GetResult())
                if (pending.Reader.TryRead(out var job)) return job;
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        return null;
    }

    void Forget()
    {
        var finished = jobs.Values
            .Where(j => j.Status is not (TrainingJobStatus.Queued or TrainingJobStatus.Running))
            .OrderByDescending(j => j.CreatedAt)
            .Skip(options.Value.JobHistory);
        foreach (var job in finished)
            jobs.TryRemove(job.Id, out _);
    }
}
