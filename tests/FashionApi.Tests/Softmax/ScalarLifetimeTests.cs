using FashionApi.Softmax;
using FashionApi.Tests.Infrastructure;
using FashionApi.Training;

namespace FashionApi.Tests.Softmax;

/// <summary>
/// TorchSharp frees a <c>Scalar</c> made implicitly from a plain number (an <c>alpha</c> of 1 that <c>add_(tensor)</c>
/// adds itself, a learning rate) only in its finalizer, and nothing keeps it alive while libtorch reads it; a garbage
/// collection during the native call can free it mid-use and fail the job. A training thread at low priority, as the
/// service runs it, sits descheduled inside such calls while other threads collect. This test makes that as likely as
/// it can: the presets' implementation trains at low priority while another thread collects and runs finalizers
/// without pause. Before the trainer and <c>fused</c> passed only explicit, disposed Scalars it failed jobs here.
/// </summary>
public class ScalarLifetimeTests
{
    [Theory]
    [InlineData("seed")]
    [InlineData("default")]
    public void The_presets_train_at_low_priority_while_other_threads_collect_garbage(string preset)
    {
        var hp = TrainingPresets.ByName[preset] with { Epochs = 2 };
        using var done = new CancellationTokenSource();
        // One collecting thread per core: they keep every core busy, so the low-priority trainer is descheduled often,
        // and each young-generation collection finds the Scalars made since the last.
        var collectors = Enumerable.Range(0, Environment.ProcessorCount).Select(_ => new Thread(() =>
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2); // bounded even if training hangs
            while (!done.IsCancellationRequested && DateTime.UtcNow < deadline)
            {
                GC.Collect(0);
                GC.WaitForPendingFinalizers();
            }
        }) { IsBackground = true }).ToList();

        TrainingResult? result = null;
        Exception? failure = null;
        var trainer = new Thread(() =>
        {
            try
            {
                TrainingThreadPriority.LowerCurrentThread();
                result = SoftmaxTrainer.Train(TestData.TrainingData, hp);
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        _ = TestData.TrainingData; // loaded before the race starts, not during it
        collectors.ForEach(c => c.Start());
        trainer.Start();
        bool finished = trainer.Join(TimeSpan.FromMinutes(2));
        done.Cancel();
        collectors.ForEach(c => c.Join());

        Assert.True(finished, $"training {preset} at low priority did not finish within 2 minutes");
        Assert.Null(failure);
        Assert.True(result!.Evaluation.TestAccuracy > 0.8, $"test accuracy {result.Evaluation.TestAccuracy:F4}");
    }
}
