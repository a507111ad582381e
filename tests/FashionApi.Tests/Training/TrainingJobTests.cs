using FashionApi.Models;
using FashionApi.Softmax;
using FashionApi.Training;

namespace FashionApi.Tests.Training;

public class TrainingJobTests
{
    static TrainingJob NewJob() => new("job", "seed", TrainingPresets.Seed);

    [Fact]
    public void A_cancel_that_comes_before_the_commit_wins()
    {
        var job = NewJob();
        Assert.True(job.TryStart());
        Assert.True(job.Cancel());
        Assert.True(job.Cancellation.IsCancellationRequested);
        Assert.False(job.TryBeginCommit());
    }

    [Fact]
    public void Once_saving_has_begun_a_cancel_is_refused()
    {
        var job = NewJob();
        Assert.True(job.TryStart());
        Assert.True(job.TryBeginCommit());
        Assert.False(job.Cancel());
        Assert.False(job.Cancellation.IsCancellationRequested);
        job.Succeed("v1", 0.8, new ActivationDecision(true, null));
        Assert.Equal(TrainingJobStatus.Succeeded, job.Snapshot().Status);
    }

    [Fact]
    public void A_job_cancelled_while_queued_cannot_start_and_a_finished_one_cannot_be_cancelled()
    {
        var queued = NewJob();
        Assert.True(queued.Cancel());
        Assert.Equal(TrainingJobStatus.Cancelled, queued.Snapshot().Status);
        Assert.False(queued.TryStart());

        var finished = NewJob();
        finished.TryStart();
        finished.Fail("boom");
        Assert.False(finished.Cancel());
        Assert.Equal("boom", finished.Snapshot().Error);
    }
}
