using System.Collections.Concurrent;
using JitAdmission.Controller.Queue;
using JitAdmission.Kubernetes.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace JitAdmission.Controller.Tests.Queue;

public sealed class ReconcileLoopTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2030-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    private WorkQueue<string> NewQueue() => new(new WorkQueueOptions { BaseDelay = TimeSpan.FromMilliseconds(5) }, _time);

    [Fact]
    public async Task A_failing_reconcile_is_retried_with_backoff_and_the_backoff_resets_on_success()
    {
        using var queue = NewQueue();
        var attempts = 0;
        var loop = new ReconcileLoop<string>("test", queue, (_, _) =>
        {
            if (Interlocked.Increment(ref attempts) <= 2) throw new InvalidOperationException("transient");
            return Task.FromResult<TimeSpan?>(null);
        }, NullLogger.Instance);
        await using var run = Running.Start(loop.RunAsync);

        queue.Add("k");
        await Poll.UntilAsync(() => attempts == 1 && queue.DelayedCount == 1);
        _time.Advance(TimeSpan.FromMilliseconds(4));
        Assert.Equal(1, Volatile.Read(ref attempts));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await Poll.UntilAsync(() => attempts == 2 && queue.DelayedCount == 1);
        _time.Advance(TimeSpan.FromMilliseconds(9));
        Assert.Equal(2, Volatile.Read(ref attempts));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await Poll.UntilAsync(() => attempts == 3 && queue.NumRequeues("k") == 0);
        Assert.Equal(0, queue.DelayedCount);
    }

    [Fact]
    public async Task A_returned_delay_requeues_the_key_after_that_delay()
    {
        using var queue = NewQueue();
        var attempts = 0;
        var loop = new ReconcileLoop<string>("test", queue, (_, _) =>
        {
            Interlocked.Increment(ref attempts);
            return Task.FromResult<TimeSpan?>(TimeSpan.FromSeconds(30));
        }, NullLogger.Instance);
        await using var run = Running.Start(loop.RunAsync);

        queue.Add("k");
        await Poll.UntilAsync(() => attempts == 1 && queue.DelayedCount == 1);
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(1, Volatile.Read(ref attempts));
        _time.Advance(TimeSpan.FromSeconds(1));
        await Poll.UntilAsync(() => attempts == 2);
    }

    [Fact]
    public async Task Workers_run_different_keys_in_parallel_but_never_one_key_twice_at_once()
    {
        using var queue = NewQueue();
        var gates = new ConcurrentDictionary<string, TaskCompletionSource>();
        var running = new ConcurrentDictionary<string, int>();
        var maxPerKey = 0;
        var maxTotal = 0;
        var total = 0;
        var runs = new ConcurrentQueue<string>();
        var loop = new ReconcileLoop<string>("test", queue, async (key, ct) =>
        {
            var now = running.AddOrUpdate(key, 1, (_, n) => n + 1);
            InterlockedMax(ref maxPerKey, now);
            InterlockedMax(ref maxTotal, Interlocked.Increment(ref total));
            runs.Enqueue(key);
            await gates.GetOrAdd(key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task.WaitAsync(ct);
            Interlocked.Decrement(ref total);
            running.AddOrUpdate(key, 0, (_, n) => n - 1);
            return null;
        }, NullLogger.Instance, workers: 4);
        await using var run = Running.Start(loop.RunAsync);

        queue.Add("a");
        queue.Add("b");
        await Poll.UntilAsync(() => runs.Count == 2);
        queue.Add("a"); // while "a" is in flight
        Assert.Equal(2, Volatile.Read(ref maxTotal));

        gates.TryRemove("a", out var first);
        first!.SetResult();
        await Poll.UntilAsync(() => runs.Count == 3);
        var order = runs.ToArray();
        Assert.Equal(["a", "b"], order.Take(2).Order(StringComparer.Ordinal));
        Assert.Equal("a", order[2]); // the re-add ran only after the first run of "a" finished
        Assert.Equal(1, Volatile.Read(ref maxPerKey));
        foreach (var g in gates.Values) g.TrySetResult();
    }

    [Fact]
    public async Task Stopping_cancels_in_flight_reconciles_and_ends_the_loop()
    {
        using var queue = NewQueue();
        var observedCancel = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var loop = new ReconcileLoop<string>("test", queue, async (_, ct) =>
        {
            started.SetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                observedCancel.SetResult();
                throw;
            }

            return null;
        }, NullLogger.Instance);
        var run = Running.Start(loop.RunAsync);
        queue.Add("k");
        await started.Task.WaitAsync(TimeSpan.FromSeconds(5));

        await run.StopAsync();

        Assert.True(observedCancel.Task.IsCompleted);
        Assert.True(run.Task.IsCompletedSuccessfully);
        Assert.True(queue.IsShuttingDown);
        await run.DisposeAsync();
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
