using FashionApi.Softmax;
using FashionApi.Training;

namespace FashionApi.Tests.Training;

public class TrainingEventStreamTests
{
    [Fact]
    public async Task A_quiet_job_gets_keepalive_events_and_its_end_still_arrives()
    {
        var job = new TrainingJob("job", "seed", TrainingPresets.Seed); // queued: nothing happens until it is started
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var events = TrainingEventStream.Follow(job, stop.Token, keepAliveInterval: TimeSpan.FromMilliseconds(50))
            .GetAsyncEnumerator(stop.Token);

        Assert.True(await events.MoveNextAsync());
        Assert.Equal(TrainingEventStream.Snapshot, events.Current.EventType);
        for (int i = 0; i < 2; i++)
        {
            Assert.True(await events.MoveNextAsync());
            Assert.Equal(TrainingEventStream.KeepAlive, events.Current.EventType);
            Assert.Equal(new KeepAliveEvent(TrainingJobStatus.Queued), events.Current.Data);
        }

        Assert.True(job.Cancel());
        job.MarkCancelled();
        var rest = new List<string>();
        while (await events.MoveNextAsync()) rest.Add(events.Current.EventType!);
        Assert.Equal(TrainingEventStream.Done, rest.Last(type => type != TrainingEventStream.KeepAlive));
        Assert.False(stop.IsCancellationRequested, "the stream should have ended with the job, not by the test's timeout");
    }
}
