using FashionApi.Model;

namespace FashionApi.Tests.Model;

public class ParallelPairTests
{
    [Fact]
    public void With_one_thread_both_pieces_run_on_the_caller_in_order()
    {
        using var pair = new ParallelPair(threads: 1);
        var order = new List<(string Piece, int Thread)>();
        pair.Run(() => order.Add(("first", Environment.CurrentManagedThreadId)), () => order.Add(("second", Environment.CurrentManagedThreadId)));
        Assert.Equal([("first", Environment.CurrentManagedThreadId), ("second", Environment.CurrentManagedThreadId)], order);
    }

    [Fact]
    public void With_two_threads_the_pieces_run_at_the_same_time_on_different_threads()
    {
        int helperThreadStarts = 0;
        using var pair = new ParallelPair(threads: 2, onHelperStart: () => Interlocked.Increment(ref helperThreadStarts));
        for (int run = 0; run < 100; run++)
        {
            int firstThread = 0, secondThread = 0;
            using var secondStarted = new ManualResetEventSlim();
            // The first piece waits until the second has started: only possible if they overlap.
            pair.Run(
                () => { firstThread = Environment.CurrentManagedThreadId; Assert.True(secondStarted.Wait(TimeSpan.FromSeconds(10))); },
                () => { secondThread = Environment.CurrentManagedThreadId; secondStarted.Set(); });
            Assert.Equal(Environment.CurrentManagedThreadId, firstThread);
            Assert.NotEqual(firstThread, secondThread);
        }
        Assert.Equal(1, helperThreadStarts);
    }

    [Fact]
    public void Every_piece_runs_exactly_once_across_many_short_runs()
    {
        using var pair = new ParallelPair(threads: 2);
        int firsts = 0, seconds = 0;
        for (int run = 0; run < 20_000; run++)
            pair.Run(() => firsts++, () => Interlocked.Increment(ref seconds));
        Assert.Equal(20_000, firsts);
        Assert.Equal(20_000, seconds);
    }

    [Fact]
    public void An_exception_on_the_helper_reaches_the_caller_and_the_pair_keeps_working()
    {
        using var pair = new ParallelPair(threads: 2);
        using var secondStarted = new ManualResetEventSlim();
        var error = Assert.Throws<InvalidOperationException>(() => pair.Run(
            () => Assert.True(secondStarted.Wait(TimeSpan.FromSeconds(10))),
            () => { secondStarted.Set(); throw new InvalidOperationException("from the helper"); }));
        Assert.Equal("from the helper", error.Message);

        int ran = 0;
        pair.Run(() => Interlocked.Increment(ref ran), () => Interlocked.Increment(ref ran));
        Assert.Equal(2, ran);
    }

    [Fact]
    public void A_helper_that_fails_to_start_leaves_all_the_work_to_the_caller()
    {
        using var pair = new ParallelPair(threads: 2, onHelperStart: () => throw new InvalidOperationException("no helper"));
        var threads = new List<int>();
        for (int run = 0; run < 1_000; run++)
            pair.Run(() => threads.Add(Environment.CurrentManagedThreadId), () => { lock (threads) threads.Add(Environment.CurrentManagedThreadId); });
        Assert.Equal(2_000, threads.Count);
        Assert.All(threads, id => Assert.Equal(Environment.CurrentManagedThreadId, id));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void Only_one_or_two_threads_are_accepted(int threads) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ParallelPair(threads));
}
