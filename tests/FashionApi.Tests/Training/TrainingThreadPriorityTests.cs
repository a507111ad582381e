using FashionApi.Softmax;
using FashionApi.Training;

namespace FashionApi.Tests.Training;

public class TrainingThreadPriorityTests
{
    /// <summary>The calling thread's scheduling policy (0 normal, 5 idle) and nice value, as the Linux kernel has them.</summary>
    static (int Policy, int Nice) KernelView()
    {
        string stat = File.ReadAllText("/proc/thread-self/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // fields[0] is field 3 of proc(5)
        return (int.Parse(fields[41 - 3]), int.Parse(fields[19 - 3]));
    }

    [Fact]
    public void Lowering_the_training_thread_changes_that_thread_only()
    {
        string? outcome = null;
        (int Policy, int Nice) lowered = default;
        var thread = new Thread(() =>
        {
            outcome = TrainingThreadPriority.LowerCurrentThread();
            if (OperatingSystem.IsLinux()) lowered = KernelView();
        });
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(30)), "the thread did not finish within 30 s");

        if (!OperatingSystem.IsLinux())
        {
            Assert.Equal("thread priority Lowest", outcome);
            return;
        }
        Assert.True(lowered.Policy == 5 || lowered.Nice == 19, $"kernel shows policy {lowered.Policy}, nice {lowered.Nice} after: {outcome}");
        Assert.StartsWith(lowered.Policy == 5 ? "SCHED_IDLE" : "nice 19", outcome);
        var here = KernelView(); // another thread of the same process: request handling keeps its priority
        Assert.NotEqual(5, here.Policy);
        Assert.NotEqual(19, here.Nice);
    }

    static void Run(LowPriorityThread thread, Action work) => thread.Start(work).GetAwaiter().GetResult();

    [Fact]
    public void The_low_priority_thread_runs_work_lowered_in_the_callers_context_and_returns_its_failures_to_the_caller()
    {
        using var lowPriority = new LowPriorityThread();
        (int Policy, int Nice) there = default;
        int? threadId = null;
        Run(lowPriority, () =>
        {
            threadId = Environment.CurrentManagedThreadId;
            if (OperatingSystem.IsLinux()) there = KernelView();
        });

        Assert.NotEqual(Environment.CurrentManagedThreadId, threadId);
        if (OperatingSystem.IsLinux())
            Assert.True(there.Policy == 5 || there.Nice == 19, $"kernel shows policy {there.Policy}, nice {there.Nice} after: {lowPriority.Priority}");
        var callerScope = new AsyncLocal<string> { Value = "job 1" }; // log scopes flow the same way
        string? seen = null;
        Run(lowPriority, () => seen = callerScope.Value);
        Assert.Equal("job 1", seen);
        var failure = Assert.Throws<InvalidOperationException>(() => Run(lowPriority, () => throw new InvalidOperationException("job failed")));
        Assert.Equal("job failed", failure.Message);
        Run(lowPriority, () => { }); // still serving after a failure
    }
}
