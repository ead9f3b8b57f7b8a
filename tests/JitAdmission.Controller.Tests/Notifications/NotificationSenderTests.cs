using System.Net;
using JitAdmission.Controller.Notifications;
using JitAdmission.Controller.Tests.Support;
using JitAdmission.Core.Api;
using JitAdmission.Core.Approval;
using JitAdmission.Kubernetes.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Prometheus;
using static JitAdmission.Controller.Tests.Support.Objects;

namespace JitAdmission.Controller.Tests.Notifications;

/// <summary>Delivery with retries and backoff on a fake clock: every wait is checked to the millisecond, none is real.</summary>
public sealed class NotificationSenderTests
{
    private static readonly TimeSpan NotYet = TimeSpan.FromMilliseconds(100);
    private readonly FakeTimeProvider _time = new(T0);
    private readonly NotificationMetrics _metrics = new(Metrics.NewCustomRegistry());

    private static readonly NotificationOptions Options = new()
    {
        MaxAttempts = 5,
        InitialBackoff = TimeSpan.FromSeconds(1),
        MaxBackoff = TimeSpan.FromSeconds(60),
        AttemptTimeout = TimeSpan.FromSeconds(5),
    };

    private NotificationSender Sender(ScriptedHandler handler, NotificationOptions? options = null) =>
        new(new OneHttpClient(new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan }), Microsoft.Extensions.Options.Options.Create(options ?? Options), _metrics, _time,
            NullLogger<NotificationSender>.Instance);

    private static ApprovalPolicy Notifying(params string[] urls) =>
        Policy("prod", configure: s => s.Notify.AddRange(urls.Select(u => new NotificationTarget { Url = u })));

    private static void Announce(NotificationSender sender, ApprovalPolicy policy, string name = "r1", string announcement = ApprovalAnnouncements.Pending)
    {
        var request = Request("shop", name, T0, policy.Metadata.Name);
        sender.Notify(request, ApprovalEvaluator.Evaluate(request, [policy], T0), announcement, [policy]);
    }

    private async Task BackoffArmedAsync(int expectedAttempts, ScriptedHandler handler)
    {
        await Poll.UntilAsync(() => handler.Attempts == expectedAttempts && _metrics.RetriesWaiting == 1, because: $"attempt {expectedAttempts} failed and a retry is waiting");
    }

    /// <summary>
    /// Attempt <paramref name="attempt"/> failed and its retry waits <paramref name="wait"/> on the fake clock: nothing is
    /// sent <paramref name="checkedEarlyBy"/> (1 ms unless given) before the wait ends; then the clock reaches its end.
    /// </summary>
    private async Task RetryWaitsAsync(ScriptedHandler handler, int attempt, TimeSpan wait, TimeSpan? checkedEarlyBy = null)
    {
        var early = checkedEarlyBy ?? TimeSpan.FromMilliseconds(1);
        await BackoffArmedAsync(attempt, handler);
        _time.Advance(wait - early);
        await Task.Delay(NotYet);
        Assert.Equal(attempt, handler.Attempts);
        _time.Advance(early);
    }

    [Fact]
    public async Task Failed_attempts_are_retried_after_1s_then_2s_until_the_receiver_takes_it()
    {
        var handler = ScriptedHandler.FailingFirst(2);
        using var sender = Sender(handler);
        await using var run = Running.Start(sender.RunAsync);

        Announce(sender, Notifying("https://hooks.example/services/T1/B2/secret"));

        await RetryWaitsAsync(handler, attempt: 1, TimeSpan.FromSeconds(1));
        await RetryWaitsAsync(handler, attempt: 2, TimeSpan.FromSeconds(2));

        await Poll.UntilAsync(() => _metrics.Value(NotificationMetrics.Sent) == 1);
        Assert.Equal(3, handler.Attempts);
        Assert.Equal(2, _metrics.FailedAttempts);
        Assert.All(handler.Received, r => Assert.Contains("\"text\":\"Approval needed: alice wants to UPDATE deployments/web in shop", r.Body, StringComparison.Ordinal));
    }

    [Fact]
    public async Task After_the_last_attempt_it_gives_up_and_counts_a_failure()
    {
        var handler = ScriptedHandler.FailingFirst(int.MaxValue, HttpStatusCode.ServiceUnavailable);
        using var sender = Sender(handler, new NotificationOptions { MaxAttempts = 3, InitialBackoff = TimeSpan.FromSeconds(1) });
        await using var run = Running.Start(sender.RunAsync);

        Announce(sender, Notifying("https://hooks.example/a"));
        await BackoffArmedAsync(1, handler);
        _time.Advance(TimeSpan.FromSeconds(1));
        await BackoffArmedAsync(2, handler);
        _time.Advance(TimeSpan.FromSeconds(2));

        await Poll.UntilAsync(() => _metrics.Value(NotificationMetrics.Failed) == 1);
        Assert.Equal((3, 3.0, 0.0), (handler.Attempts, _metrics.FailedAttempts, _metrics.Value(NotificationMetrics.Sent)));
    }

    [Fact]
    public async Task A_refusal_that_retrying_cannot_fix_is_not_retried()
    {
        var handler = ScriptedHandler.FailingFirst(int.MaxValue, HttpStatusCode.NotFound);
        using var sender = Sender(handler);
        await using var run = Running.Start(sender.RunAsync);

        Announce(sender, Notifying("https://hooks.example/gone"));

        await Poll.UntilAsync(() => _metrics.Value(NotificationMetrics.Failed) == 1);
        Assert.Equal((1, 0.0), (handler.Attempts, _metrics.RetriesWaiting));
    }

    [Fact]
    public async Task A_receiver_that_does_not_answer_times_out_and_is_tried_again()
    {
        var handler = new ScriptedHandler(async (attempt, cancel) =>
        {
            if (attempt == 1) await Task.Delay(Timeout.Infinite, cancel);
            return new HttpResponseMessage(HttpStatusCode.OK);
        });
        using var sender = Sender(handler);
        await using var run = Running.Start(sender.RunAsync);

        Announce(sender, Notifying("https://hooks.example/slow"));
        await Poll.UntilAsync(() => handler.Attempts == 1);
        _time.Advance(TimeSpan.FromSeconds(5));
        await BackoffArmedAsync(1, handler);
        _time.Advance(TimeSpan.FromSeconds(1));

        await Poll.UntilAsync(() => _metrics.Value(NotificationMetrics.Sent) == 1);
        Assert.Equal(2, handler.Attempts);
    }

    [Fact]
    public async Task Retry_After_from_the_receiver_is_honoured()
    {
        var handler = new ScriptedHandler((attempt, _) =>
        {
            var response = new HttpResponseMessage(attempt == 1 ? HttpStatusCode.TooManyRequests : HttpStatusCode.OK);
            if (attempt == 1) response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(7));
            return Task.FromResult(response);
        });
        using var sender = Sender(handler);
        await using var run = Running.Start(sender.RunAsync);

        Announce(sender, Notifying("https://hooks.example/busy"));
        await RetryWaitsAsync(handler, attempt: 1, TimeSpan.FromSeconds(7), checkedEarlyBy: TimeSpan.FromSeconds(1));

        await Poll.UntilAsync(() => _metrics.Value(NotificationMetrics.Sent) == 1);
    }

    [Fact]
    public async Task The_same_announcement_for_the_same_request_is_sent_once_to_each_target()
    {
        var handler = ScriptedHandler.FailingFirst(0);
        using var sender = Sender(handler);
        await using var run = Running.Start(sender.RunAsync);
        var policy = Notifying("https://hooks.example/a", "https://hooks.example/b");

        Announce(sender, policy);
        Announce(sender, policy);
        Announce(sender, policy, announcement: ApprovalAnnouncements.Approved);

        await Poll.UntilAsync(() => _metrics.Value(NotificationMetrics.Sent) == 4);
        Assert.Equal(1, _metrics.Value(NotificationMetrics.Duplicate));
        Assert.Equal(2, handler.Received.Count(r => r.Url.AbsolutePath == "/a"));
    }

    [Fact]
    public async Task Expiring_is_sent_once_per_phase_that_runs_out_to_the_routes_of_that_phase()
    {
        var handler = ScriptedHandler.FailingFirst(0);
        using var sender = Sender(handler);
        await using var run = Running.Start(sender.RunAsync);
        var policy = Policy("prod", configure: s =>
        {
            s.Notify.Add(new NotificationTarget { Url = "https://hooks.example/pending", Events = [RequestPhase.Pending] });
            s.Notify.Add(new NotificationTarget { Url = "https://hooks.example/approved", Events = [RequestPhase.Approved] });
        });
        var request = Request("shop", "r1", T0, "prod");
        var pending = ApprovalEvaluator.Evaluate(request, [policy], T0 + TimeSpan.FromMinutes(55));
        sender.Notify(request, pending, ApprovalExpiry.Expiring, [policy]);
        sender.Notify(request, pending, ApprovalExpiry.Expiring, [policy]);
        request.Spec.Reviews.Add(Approve("bob", T0 + TimeSpan.FromMinutes(56), "sre"));
        var approved = ApprovalEvaluator.Evaluate(request, [policy], T0 + TimeSpan.FromMinutes(68));
        sender.Notify(request, approved, ApprovalExpiry.Expiring, [policy]);

        await Poll.UntilAsync(() => _metrics.Value(NotificationMetrics.Sent) == 2);
        Assert.Equal(1, _metrics.Value(NotificationMetrics.Duplicate));
        Assert.Equal(["/approved", "/pending"], handler.Received.Select(r => r.Url.AbsolutePath).Order());
        Assert.All(handler.Received, r => Assert.Contains("\"event\":\"Expiring\"", r.Body, StringComparison.Ordinal));
    }

    [Fact]
    public void A_full_queue_drops_and_counts_instead_of_blocking()
    {
        using var sender = Sender(ScriptedHandler.FailingFirst(0), new NotificationOptions { QueueCapacity = 1 });
        var policy = Notifying("https://hooks.example/a");

        Announce(sender, policy, "r1");
        Announce(sender, policy, "r2");

        Assert.Equal(1, _metrics.Value(NotificationMetrics.Dropped));
    }

    [Theory]
    [InlineData(1, 1000)]
    [InlineData(2, 2000)]
    [InlineData(4, 8000)]
    [InlineData(10, 60000)]
    public void Backoff_doubles_and_is_capped(int failedAttempt, int expectedMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), NotificationBackoff.After(failedAttempt, Options));
}
