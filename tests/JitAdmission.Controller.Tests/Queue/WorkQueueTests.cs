using JitAdmission.Controller.Queue;
using Microsoft.Extensions.Time.Testing;

namespace JitAdmission.Controller.Tests.Queue;

public sealed class WorkQueueTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2030-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    private WorkQueue<string> NewQueue(TimeSpan? baseDelay = null, TimeSpan? maxDelay = null) =>
        new(new WorkQueueOptions { BaseDelay = baseDelay ?? TimeSpan.FromMilliseconds(5), MaxDelay = maxDelay ?? TimeSpan.FromMinutes(5) }, _time);

    private static async Task<string> Next(WorkQueue<string> q)
    {
        var (ok, key) = await q.GetAsync(CancellationToken.None).WaitAsync(Bound);
        Assert.True(ok);
        return key;
    }

    [Fact]
    public async Task A_waiting_key_is_queued_once_however_often_it_is_added()
    {
        using var q = NewQueue();
        q.Add("a");
        q.Add("b");
        q.Add("a");

        Assert.Equal(2, q.Count);
        Assert.Equal("a", await Next(q));
        Assert.Equal("b", await Next(q));
        Assert.Equal(0, q.Count);
    }

    [Fact]
    public async Task An_urgent_key_goes_ahead_of_a_thousand_ordinary_ones_and_is_handed_out_once()
    {
        using var q = NewQueue();
        for (var i = 0; i < 1000; i++) q.Add($"new-{i}");
        q.Add("reviewed");
        q.AddUrgent("reviewed"); // queued already: moved ahead, not doubled
        q.AddUrgent("approved");

        Assert.Equal(1002, q.Count);
        Assert.Equal("reviewed", await Next(q));
        Assert.Equal("approved", await Next(q));
        var rest = new List<string>();
        for (var i = 0; i < 1000; i++) rest.Add(await Next(q));
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => $"new-{i}"), rest);
        Assert.Equal(0, q.Count);
    }

    [Fact]
    public async Task An_urgent_key_added_while_processing_comes_back_first_after_done()
    {
        using var q = NewQueue();
        q.Add("a");
        Assert.Equal("a", await Next(q));
        q.Add("b");
        q.AddUrgent("a");
        Assert.Equal(1, q.Count); // "a" waits for Done

        q.Done("a");
        Assert.Equal("a", await Next(q));
        Assert.Equal("b", await Next(q));
    }

    [Fact]
    public async Task A_key_added_while_processing_is_handed_out_again_only_after_done()
    {
        using var q = NewQueue();
        q.Add("a");
        Assert.Equal("a", await Next(q));

        q.Add("a");
        q.Add("a");
        var second = q.GetAsync(CancellationToken.None);
        Assert.Equal(0, q.Count);
        Assert.False(second.IsCompleted, "the key is still being processed");

        q.Done("a");
        var (ok, key) = await second.WaitAsync(Bound);
        Assert.True(ok);
        Assert.Equal("a", key);
        q.Done("a");
        Assert.Equal(0, q.Count);
    }

    [Fact]
    public async Task A_getter_waits_until_a_key_arrives()
    {
        using var q = NewQueue();
        var get = q.GetAsync(CancellationToken.None);
        Assert.False(get.IsCompleted);

        q.Add("x");

        Assert.Equal((true, "x"), await get.WaitAsync(Bound));
    }

    [Fact]
    public async Task A_cancelled_getter_throws_and_does_not_swallow_the_next_key()
    {
        using var q = NewQueue();
        using var cts = new CancellationTokenSource();
        var cancelled = q.GetAsync(cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);

        q.Add("k");

        Assert.Equal("k", await Next(q));
    }

    [Fact]
    public async Task Rate_limited_retries_double_from_the_base_delay_up_to_the_cap_until_forgotten()
    {
        using var q = NewQueue(TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(40));
        foreach (var expected in new[] { 5, 10, 20, 40, 40 })
        {
            q.AddRateLimited("k");
            Assert.Equal(0, q.Count);
            _time.Advance(TimeSpan.FromMilliseconds(expected - 1));
            Assert.Equal(0, q.Count);
            _time.Advance(TimeSpan.FromMilliseconds(1));
            Assert.Equal(1, q.Count);
            Assert.Equal("k", await Next(q));
            q.Done("k");
        }

        Assert.Equal(5, q.NumRequeues("k"));
        q.Forget("k");
        Assert.Equal(0, q.NumRequeues("k"));
        q.AddRateLimited("k");
        _time.Advance(TimeSpan.FromMilliseconds(5));
        Assert.Equal(1, q.Count);
    }

    [Fact]
    public async Task Delayed_adds_fire_on_the_time_provider_and_the_earliest_deadline_wins()
    {
        using var q = NewQueue();
        q.AddAfter("a", TimeSpan.FromSeconds(10));
        q.AddAfter("a", TimeSpan.FromSeconds(2));
        q.AddAfter("b", TimeSpan.FromSeconds(1));
        q.AddAfter("b", TimeSpan.FromSeconds(5)); // later than the pending one: ignored
        Assert.Equal(2, q.DelayedCount);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("b", await Next(q));
        q.Done("b");
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("a", await Next(q));
        q.Done("a");

        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(0, q.Count);
        Assert.Equal(0, q.DelayedCount);
    }

    [Fact]
    public async Task A_delay_of_zero_adds_at_once()
    {
        using var q = NewQueue();
        q.AddAfter("now", TimeSpan.Zero);
        Assert.Equal("now", await Next(q));
    }

    [Fact]
    public async Task Shutting_down_wakes_waiting_getters_refuses_new_keys_and_still_hands_out_queued_ones()
    {
        using var q = NewQueue();
        var waiting = q.GetAsync(CancellationToken.None);
        q.ShutDown();
        Assert.Equal((false, default(string)), await waiting.WaitAsync(Bound));

        using var q2 = NewQueue();
        q2.Add("queued");
        q2.ShutDown();
        q2.Add("late");
        q2.AddAfter("later", TimeSpan.FromSeconds(1));
        Assert.Equal("queued", await Next(q2));
        var (ok, _) = await q2.GetAsync(CancellationToken.None).WaitAsync(Bound);
        Assert.False(ok);
        Assert.True(q2.IsShuttingDown);
    }

    [Fact]
    public async Task Delays_longer_than_a_system_timer_can_wait_are_honoured()
    {
        using var system = new WorkQueue<string>(new WorkQueueOptions(), TimeProvider.System);
        system.AddAfter("in-60-days", TimeSpan.FromDays(60)); // beyond the ~49.7-day limit of one timer wait
        Assert.Equal(1, system.DelayedCount);

        using var q = NewQueue();
        q.AddAfter("k", TimeSpan.FromDays(60));
        _time.Advance(TimeSpan.FromDays(59));
        Assert.Equal(0, q.Count);
        _time.Advance(TimeSpan.FromDays(1));
        Assert.Equal("k", await Next(q));
    }
}
