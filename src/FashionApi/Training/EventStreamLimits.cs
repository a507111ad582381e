using FashionApi.Hosting;
using Microsoft.Extensions.Options;

namespace FashionApi.Training;

/// <summary>How many training event streams may be open at once, per job (<c>MaxEventStreamsPerJob</c>) and per client
/// (<c>MaxEventStreamsPerClient</c>, a client being its address or IPv6 /64, see <see cref="ClientIdentity"/>). Each
/// stream holds a connection and a task for as long as its job runs, and job ids are public, so without a bound anyone
/// could open thousands. Beyond either limit, 429.</summary>
public sealed class EventStreamLimits(IOptions<FashionApiOptions> options)
{
    readonly Dictionary<string, int> perJob = [], perClient = [];
    readonly Lock gate = new();

    /// <summary>A slot for one stream, released by disposing it; null (and why) when a limit is reached.</summary>
    public (IDisposable? Slot, string? Refusal) TryOpen(string jobId, string client)
    {
        lock (gate)
        {
            if (perJob.GetValueOrDefault(jobId) >= options.Value.MaxEventStreamsPerJob)
                return (null, $"Job {jobId} already has {options.Value.MaxEventStreamsPerJob} event streams open, the most allowed (MaxEventStreamsPerJob); " +
                              "poll GET /train/{id} instead, or try again when one has closed.");
            if (perClient.GetValueOrDefault(client) >= options.Value.MaxEventStreamsPerClient)
                return (null, $"This client already has {options.Value.MaxEventStreamsPerClient} training event streams open, the most allowed " +
                              "(MaxEventStreamsPerClient); close one first.");
            perJob[jobId] = perJob.GetValueOrDefault(jobId) + 1;
            perClient[client] = perClient.GetValueOrDefault(client) + 1;
            return (new Slot(this, jobId, client), null);
        }
    }

    void Release(string jobId, string client)
    {
        lock (gate)
        {
            Decrement(perJob, jobId);
            Decrement(perClient, client);
        }
    }

    static void Decrement(Dictionary<string, int> counts, string key)
    {
        if (--counts[key] == 0) counts.Remove(key);
    }

    sealed class Slot(EventStreamLimits owner, string jobId, string client) : IDisposable
    {
        int released;
        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0) owner.Release(jobId, client);
        }
    }
}
