using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace FashionApi.Model;

/// <summary>
/// Runs two independent pieces of work at once: one on the calling thread, the other on a helper thread. It exists for
/// work that takes tens of microseconds, too short to hand to the thread pool (waking a pool thread took longer than
/// the work): the helper spin-waits while work keeps coming, and sleeps after a millisecond without any.
/// The caller never waits for a helper that has not started: if its own piece finishes first, it takes the other back
/// and runs it itself. When that happens, or the helper is slow to finish (it was preempted), the cores are busy with
/// other work such as request serving: the helper then sleeps instead of spinning, and the caller runs both pieces
/// itself, offering the helper work again only every 50 ms.
/// Without a helper (one thread), both pieces run on the caller, one after the other. Not for concurrent callers.
/// </summary>
public sealed class ParallelPair : IDisposable
{
    const int Idle = 0, Posted = 1, Running = 2, Done = 3, Stopping = 4;
    static readonly long SpinTicks = Stopwatch.Frequency / 1000, WakeIntervalTicks = Stopwatch.Frequency / 20;
    static readonly long MinimumWaitTicks = Stopwatch.Frequency / 20_000; // 50 µs

    readonly Thread? helper;
    readonly Action? onHelperStart;
    readonly SemaphoreSlim wake = new(0);
    Action? posted;
    ExceptionDispatchInfo? helperFailure;
    int state, sleeping, misses;
    long lastWake;

    /// <param name="threads">1 (no helper) or 2.</param>
    /// <param name="onHelperStart">Runs first on the helper thread, for per-thread settings such as libtorch's.</param>
    public ParallelPair(int threads, Action? onHelperStart = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(threads, 2);
        if (threads == 1) return;
        this.onHelperStart = onHelperStart;
        helper = new Thread(HelperLoop) { IsBackground = true, Name = "Training helper" };
        helper.Start();
    }

    public void Run(Action first, Action second)
    {
        if (helper is null || (Volatile.Read(ref sleeping) == 1 && !WakeHelper()))
        {
            first();
            second();
            return;
        }

        posted = second;
        Interlocked.Exchange(ref state, Posted); // a full fence: the helper either sees the post or is seen asleep
        if (Volatile.Read(ref sleeping) == 1)
            wake.Release();
        bool firstCompleted = false;
        long started = Stopwatch.GetTimestamp();
        try
        {
            first();
            firstCompleted = true;
        }
        finally
        {
            if (Interlocked.CompareExchange(ref state, Idle, Posted) == Posted)
            {
                Interlocked.Increment(ref misses);
                if (firstCompleted) second(); // the helper had not started it: run it here
            }
            else
            {
                WaitForHelper(firstTicks: Stopwatch.GetTimestamp() - started);
                var failure = Interlocked.Exchange(ref helperFailure, null);
                if (firstCompleted) failure?.Throw();
            }
        }
    }

    void WaitForHelper(long firstTicks)
    {
        long waitStarted = Stopwatch.GetTimestamp();
        var spinner = new SpinWait();
        while (Volatile.Read(ref state) != Done)
            spinner.SpinOnce(sleep1Threshold: -1);
        Volatile.Write(ref state, Idle);
        // Waiting longer than the caller's own piece took means the helper was preempted mid-piece: the cores are
        // busy, so the helper should sleep rather than be handed more work.
        if (Stopwatch.GetTimestamp() - waitStarted > Math.Max(firstTicks, MinimumWaitTicks))
            Interlocked.Increment(ref misses);
    }

    /// <summary>Whether to wake the sleeping helper for this piece of work: at most every 50 ms, because on a busy
    /// machine each wake-up cost the caller more (the woken thread preempted it) than the helper then saved.</summary>
    bool WakeHelper()
    {
        long now = Stopwatch.GetTimestamp();
        if (now - lastWake < WakeIntervalTicks) return false;
        lastWake = now;
        return true;
    }

    void HelperLoop()
    {
        onHelperStart?.Invoke();
        long lastWork = Stopwatch.GetTimestamp();
        int seenMisses = 0;
        var spinner = new SpinWait();
        while (true)
        {
            int current = Volatile.Read(ref state);
            if (current == Stopping)
                return;
            if (current == Posted && Interlocked.CompareExchange(ref state, Running, Posted) == Posted)
            {
                try { posted!(); }
                catch (Exception e) { helperFailure = ExceptionDispatchInfo.Capture(e); }
                Volatile.Write(ref state, Done);
                lastWork = Stopwatch.GetTimestamp();
                spinner.Reset();
            }
            else if (Stopwatch.GetTimestamp() - lastWork < SpinTicks && Volatile.Read(ref misses) == seenMisses)
            {
                spinner.SpinOnce(sleep1Threshold: -1); // yields to other threads now and then, never sleeps
            }
            else
            {
                // No work for a while, or a miss: the caller had to do this thread's piece itself, or wait for it,
                // because this thread was not running (the machine is busy). Sleep rather than spin.
                Interlocked.Exchange(ref sleeping, 1);
                if (Volatile.Read(ref state) == Idle)
                    wake.Wait();
                Volatile.Write(ref sleeping, 0);
                lastWork = Stopwatch.GetTimestamp();
                seenMisses = Volatile.Read(ref misses);
            }
        }
    }

    public void Dispose()
    {
        if (helper is null) return;
        Interlocked.Exchange(ref state, Stopping);
        wake.Release();
        helper.Join();
        wake.Dispose();
    }
}
