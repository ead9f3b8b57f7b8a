using Prometheus;

namespace JitAdmission.Controller.Notifications;

/// <summary>Prometheus series of notification delivery; labels are a fixed set (never URLs or request names).</summary>
public sealed class NotificationMetrics
{
    public const string Sent = "sent";
    public const string Failed = "failed";
    public const string Dropped = "dropped";
    public const string Duplicate = "duplicate";

    private readonly Counter _notifications;
    private readonly Counter _failedAttempts;
    private readonly Gauge _waiting;

    public NotificationMetrics(CollectorRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var factory = Metrics.WithCustomRegistry(registry);
        _notifications = factory.CreateCounter("jitadmission_notifications_total",
            "Notification deliveries by result: sent, failed (gave up), dropped (queue full), duplicate (already announced).",
            new CounterConfiguration { LabelNames = ["result"] });
        _failedAttempts = factory.CreateCounter("jitadmission_notification_failed_attempts_total",
            "Notification POST attempts that failed (error, timeout or non-2xx answer), retried or not.");
        _waiting = factory.CreateGauge("jitadmission_notification_retries_waiting",
            "Notification deliveries waiting out a backoff before their next attempt.");
    }

    public void Count(string result) => _notifications.WithLabels(result).Inc();

    public double Value(string result) => _notifications.WithLabels(result).Value;

    public void FailedAttempt() => _failedAttempts.Inc();

    public double FailedAttempts => _failedAttempts.Value;

    public void WaitingStarted() => _waiting.Inc();

    public void WaitingEnded() => _waiting.Dec();

    public double RetriesWaiting => _waiting.Value;
}
