using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace FashionApi.Model;

/// <summary>
/// Runs two independent pieces of work at once: one on the calling thread, the other on a helper thread. It exists for
/// work that takes tens of microseconds, too short to hand to the thread pool (waking a pool thread took longer than
/// the work): the helper spin-waits while work keeps coming, and sleeps after a millisecond without any.
/// <para>The caller never waits for a helper that has not started: if its own piece finishes first, it takes the other
/// back and runs it itself. When that happens to an awake helper, or the helper is slow to finish (it was preempted),
/// the cores are busy with other work such as request serving: the helper then sleeps instead of spinning, and for the
/// next 5 ms the caller runs both pieces itself.</para>
/// With one thread, or until the helper is first needed, both pieces run on the caller, one after the other. Not for
/// concurrent callers.
/// </summary>
public sealed class ParallelPair : IDisposable
{
    const int Idle = 0, Posted = 1, Running = 2, Done = 3, Stopping = 4;
    static readonly long SpinTicks = Stopwatch.Frequency / 1000, BackOffTicks = Stopwatch.Frequency / 200;
    static readonly long MinimumWaitTicks = Stopwatch.Frequency / 2_000; // 0.5 ms

    readonly bool twoThreads;
    readonly Action? onHelperStart;
    readonly SemaphoreSlim wake = new(0);
    Thread? helper;
    Action? posted;
    ExceptionDispatchInfo? helperFailure;
    int state, sleeping = 1, misses; // the helper counts as asleep until it has started
    long lastMiss = long.MinValue / 2;
    volatile bool helperGone;
    bool disposed;

    /// <param name="threads">1 (no helper) or 2.</param>
    /// <param name="onHelperStart">Runs first on the helper thread, for per-thread settings such as libtorch's.</param>
    public ParallelPair(int threads, Action? onHelperStart = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(threads, 2);
        twoThreads = threads == 2;
        this.onHelperStart = onHelperStart;
    }

    public void Run(Action first, Action second)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        bool asleep = Volatile.Read(ref sleeping) == 1;
        if (!twoThreads || helperGone || (asleep && Stopwatch.GetTimestamp() - lastMiss < BackOffTicks))
        {
            first();
            second();
            return;
        }

        posted = second;
        Interlocked.Exchange(ref state, Posted); // a full fence: the helper either sees the post or is seen asleep
        if (Volatile.Read(ref sleeping) == 1)
            WakeHelper();
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
                // The helper had not started it. Waking takes longer than a piece, so that is only a sign of busy
                // cores when the helper was awake.
                if (!asleep) Miss();
                if (firstCompleted) second();
            }
            else
            {
                WaitForHelper(firstTicks: Stopwatch.GetTimestamp() - started);
                var failure = Interlocked.Exchange(ref helperFailure, null);
                if (firstCompleted) failure?.Throw();
            }
        }
    }

    void WakeHelper()
    {
        if (helper is null)
        {
            helper = new Thread(HelperLoop) { IsBackground = true, Name = "Training helper" };
            helper.Start();
        }
        else
        {
            wake.Release();
        }
    }

    void WaitForHelper(long firstTicks)
    {
        long waitStarted = Stopwatch.GetTimestamp();
        var spinner = new SpinWait();
        while (Volatile.Read(ref state) != Done)
            spinner.SpinOnce(sleep1Threshold: -1);
        Volatile.Write(ref state, Idle);
        // Waiting longer than the caller's own piece took means the helper was preempted mid-piece.
        if (Stopwatch.GetTimestamp() - waitStarted > Math.Max(firstTicks, MinimumWaitTicks))
            Miss();
    }

    void Miss()
    {
        lastMiss = Stopwatch.GetTimestamp();
        Interlocked.Increment(ref misses);
    }

    void HelperLoop()
    {
        try
        {
            onHelperStart?.Invoke();
        }
        catch (Exception)
        {
            helperGone = true; // from now on the caller runs both pieces (and takes back one posted meanwhile)
            return;
        }
        long lastWork = Stopwatch.GetTimestamp();
        int seenMisses = Volatile.Read(ref misses);
        Volatile.Write(ref sleeping, 0);
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
        if (disposed) return;
        disposed = true;
        if (helper is not null)
        {
            Interlocked.Exchange(ref state, Stopping);
            wake.Release();
            helper.Join();
        }
        wake.Dispose();
    }
}
