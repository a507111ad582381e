using System.Runtime.InteropServices;

namespace FashionApi.Training;

/// <summary>
/// Puts the calling thread below request handling in the operating system's scheduler, so training uses the CPU time
/// that serving leaves over rather than competing with it. On Linux, .NET's <see cref="Thread.Priority"/> does
/// nothing for an unprivileged process, so the thread's own scheduling policy is set: <c>SCHED_IDLE</c> (runs only when
/// a core has nothing else to do), or if that is refused, nice 19. Elsewhere <see cref="Thread.Priority"/> is used.
/// Never throws: training at normal priority is worse but still correct.
/// </summary>
public static partial class TrainingThreadPriority
{
    const int SchedIdle = 5, PrioProcess = 0, LowestNice = 19;

    /// <summary>Lowers the calling thread's priority and says what was done (or why not), for the log.</summary>
    public static string LowerCurrentThread()
    {
        if (!OperatingSystem.IsLinux())
        {
            Thread.CurrentThread.Priority = ThreadPriority.Lowest;
            return "thread priority Lowest";
        }
        try
        {
            int thread = gettid(); // Linux applies both calls below to one thread when given its id
            var none = new SchedParam { Priority = 0 };
            if (sched_setscheduler(thread, SchedIdle, ref none) == 0) return "SCHED_IDLE";
            int idleError = Marshal.GetLastPInvokeError();
            if (setpriority(PrioProcess, thread, LowestNice) == 0) return $"nice {LowestNice} (SCHED_IDLE refused, errno {idleError})";
            return $"unchanged: SCHED_IDLE and nice {LowestNice} refused (errno {idleError}, {Marshal.GetLastPInvokeError()})";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return $"unchanged: {e.Message}";
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    struct SchedParam
    {
        public int Priority;
    }

    [DllImport("libc", SetLastError = true)]
    static extern int gettid();

    [DllImport("libc", SetLastError = true)]
    static extern int sched_setscheduler(int pid, int policy, ref SchedParam param);

    [DllImport("libc", SetLastError = true)]
    static extern int setpriority(int which, int who, int priority);
}
