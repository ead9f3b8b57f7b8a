using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Threading.Channels;

namespace JitAdmission.Controller.Notifications;

/// <summary>
/// Delivers announcements to policy notify targets. <see cref="Notify"/> renders the payload and enqueues it on a
/// bounded channel (a full queue drops and counts; a reconcile or an admission call never waits on a receiver).
/// <see cref="RunAsync"/> POSTs each to its targets, a few at a time, with a per-attempt timeout and exponential
/// backoff between attempts. (request uid, announcement) pairs are remembered so a repeat is not sent twice.
/// </summary>
public sealed class NotificationSender : INotifier, IDisposable
{
    /// <summary>Name of the HttpClient the composition root configures for notifications.</summary>
    public const string HttpClientName = "jit-admission-notifications";

    private readonly HttpClient _http;
    private readonly NotificationOptions _options;
    private readonly NotificationMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<Notification> _queue;
    private readonly DeduplicationSet _sent;
    private readonly SemaphoreSlim _slots;
    private readonly Lock _gate = new();
    private readonly HashSet<Task> _inFlight = [];

    private readonly IRequesterHandles? _handles;

    /// <param name="handles">Requesters' chat handles for routes with <c>mentionRequester</c>; without, they get the plain message.</param>
    public NotificationSender(
        IHttpClientFactory clients, IOptions<NotificationOptions> options, NotificationMetrics metrics, TimeProvider time, ILogger<NotificationSender> logger,
        IRequesterHandles? handles = null)
    {
        _handles = handles;
        ArgumentNullException.ThrowIfNull(clients);
        ArgumentNullException.ThrowIfNull(options);
        _http = clients.CreateClient(HttpClientName);
        _options = options.Value;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _queue = Channel.CreateBounded<Notification>(new BoundedChannelOptions(Math.Max(1, _options.QueueCapacity))
        {
            FullMode = BoundedChannelFullMode.Wait, // with TryWrite: refuse, so a drop is seen and counted
            SingleReader = true,
        });
        _sent = new DeduplicationSet(_options.DeduplicationCapacity);
        _slots = new SemaphoreSlim(Math.Max(1, _options.MaxConcurrentDeliveries));
    }

    public void Dispose() => _slots.Dispose();

    public void Notify(ApprovalRequest request, ApprovalEvaluation evaluation, string announcement, IReadOnlyList<ApprovalPolicy> policies)
    {
        var key = request?.Metadata is null ? "?" : ObjectKeys.For(request.Metadata.NamespaceProperty, request.Metadata.Name ?? "?");
        try
        {
            ArgumentNullException.ThrowIfNull(request);
            ArgumentNullException.ThrowIfNull(evaluation);
            // Expiring is about the state that runs out: routes filter it by that phase, and it is made once per phase.
            var expiring = announcement == ApprovalExpiry.Expiring;
            var phase = expiring ? evaluation.Phase : ApprovalAnnouncements.PhaseOf(announcement);
            var targets = NotificationTargets.For(policies, phase);
            if (targets.Count == 0) return;
            var uid = request.Metadata.Uid ?? key;
            if (!_sent.Add(uid + "\u001f" + announcement + (expiring ? "\u001f" + phase : "")))
            {
                _metrics.Count(NotificationMetrics.Duplicate);
                return;
            }

            var now = _time.GetUtcNow();
            var addressed = NotificationTargets.Addressing(policies, phase);
            var handle = addressed.Count > 0 ? _handles?.For(request.Spec.Requester.Username) : null;
            var notification = new Notification(uid, key, announcement, targets, NotificationPayload.Build(request, evaluation, announcement, now),
                handle is null ? null : addressed,
                handle is null ? null : NotificationPayload.Build(request, evaluation, announcement, now, handle));
            if (_queue.Writer.TryWrite(notification)) return;
            foreach (var _ in targets) _metrics.Count(NotificationMetrics.Dropped);
            NotificationLog.Dropped(_logger, announcement, key);
        }
        catch (Exception e)
        {
            NotificationLog.PrepareFailed(_logger, e, announcement, key);
        }
    }

    /// <summary>
    /// Sends queued notifications until <paramref name="stoppingToken"/> is cancelled; then takes no new ones and lets
    /// those queued or in flight finish within <see cref="NotificationOptions.ShutdownGrace"/>.
    /// </summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        using var hardStop = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _time);
        using var stopping = stoppingToken.Register(() =>
        {
            _queue.Writer.TryComplete();
            hardStop.CancelAfter(_options.ShutdownGrace);
        });
        try
        {
            await foreach (var notification in _queue.Reader.ReadAllAsync(hardStop.Token))
            {
                foreach (var target in notification.Targets)
                {
                    await _slots.WaitAsync(hardStop.Token);
                    Track(Task.Run(() => DeliverAndReleaseAsync(notification, target, hardStop.Token), CancellationToken.None));
                }
            }
        }
        catch (OperationCanceledException) when (hardStop.IsCancellationRequested)
        {
        }

        Task[] running;
        lock (_gate) running = [.. _inFlight];
        await Task.WhenAll(running);
    }

    private void Track(Task delivery)
    {
        lock (_gate) _inFlight.Add(delivery);
        delivery.ContinueWith(t =>
        {
            lock (_gate) _inFlight.Remove(t);
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task DeliverAndReleaseAsync(Notification notification, Uri target, CancellationToken cancellationToken)
    {
        try
        {
            await DeliverAsync(notification, target, cancellationToken);
        }
        finally
        {
            _slots.Release();
        }
    }

    private async Task DeliverAsync(Notification n, Uri target, CancellationToken cancellationToken)
    {
        var shown = Shown(target);
        for (var attempt = 1; ; attempt++)
        {
            var (ok, retryable, failure, retryAfter) = await AttemptAsync(n, target, cancellationToken);
            if (cancellationToken.IsCancellationRequested && !ok)
            {
                NotificationLog.Abandoned(_logger, n.Announcement, n.RequestKey, shown);
                _metrics.Count(NotificationMetrics.Failed);
                return;
            }

            if (ok)
            {
                _metrics.Count(NotificationMetrics.Sent);
                NotificationLog.Sent(_logger, shown, n.Announcement, n.RequestKey, attempt);
                return;
            }

            _metrics.FailedAttempt();
            if (!retryable || attempt >= _options.MaxAttempts)
            {
                _metrics.Count(NotificationMetrics.Failed);
                NotificationLog.GaveUp(_logger, shown, n.Announcement, n.RequestKey, attempt, failure);
                return;
            }

            var delay = NotificationBackoff.After(attempt, _options, retryAfter);
            NotificationLog.Retrying(_logger, shown, n.Announcement, n.RequestKey, attempt, _options.MaxAttempts, failure, delay);
            // Counted once the timer exists, so whoever watches the gauge sees a wait that is really armed.
            var wait = Task.Delay(delay, _time, cancellationToken);
            _metrics.WaitingStarted();
            try
            {
                await wait;
            }
            catch (OperationCanceledException)
            {
                NotificationLog.Abandoned(_logger, n.Announcement, n.RequestKey, shown);
                _metrics.Count(NotificationMetrics.Failed);
                return;
            }
            finally
            {
                _metrics.WaitingEnded();
            }
        }
    }

    private async Task<(bool Ok, bool Retryable, string Failure, TimeSpan? RetryAfter)> AttemptAsync(
        Notification n, Uri target, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(AttemptTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var content = new StringContent(n.BodyFor(target), Encoding.UTF8, "application/json");
            using var response = await _http.PostAsync(target, content, linked.Token);
            if (response.IsSuccessStatusCode) return (true, false, "", null);
            var code = (int)response.StatusCode;
            // 408, 429 and 5xx are worth another try; any other refusal will not change by retrying.
            var retryable = response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || code >= 500;
            return (false, retryable, $"HTTP {code} {response.ReasonPhrase}", RetryAfter(response.Headers.RetryAfter));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (false, true, $"no answer within {AttemptTimeout}", null);
        }
        catch (OperationCanceledException)
        {
            return (false, false, "shutting down", null);
        }
        catch (HttpRequestException e)
        {
            return (false, true, e.Message, null);
        }
    }

    // A zero or negative setting would fail every attempt at once; fall back to the default.
    private TimeSpan AttemptTimeout => _options.AttemptTimeout > TimeSpan.Zero ? _options.AttemptTimeout : new NotificationOptions().AttemptTimeout;

    private TimeSpan? RetryAfter(RetryConditionHeaderValue? header) => header switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - _time.GetUtcNow(),
        _ => null,
    };

    // Webhook URLs often carry a secret in the path (Slack: /services/T…/B…/XXXX): log scheme and host only.
    private static string Shown(Uri target) => $"{target.Scheme}://{target.Authority}";
}
