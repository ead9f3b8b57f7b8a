namespace JitAdmission.Controller.Notifications;

/// <summary>How notifications (policy <c>spec.notify</c>) are delivered; configuration section <c>Notifications</c>.</summary>
public sealed class NotificationOptions
{
    public const string SectionName = "Notifications";

    /// <summary>Notifications waiting to be sent; beyond this new ones are dropped (and counted), never blocking a reconcile.</summary>
    public int QueueCapacity { get; set; } = 1000;

    /// <summary>Attempts per target, the first included.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>How long one POST may take before it counts as failed.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Wait after the first failed attempt; doubles per attempt.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between attempts (also caps a receiver's Retry-After).</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Deliveries in flight at once, so one slow receiver does not hold up the others.</summary>
    public int MaxConcurrentDeliveries { get; set; } = 4;

    /// <summary>(request uid, announcement) pairs remembered to drop repeats.</summary>
    public int DeduplicationCapacity { get; set; } = 10_000;

    /// <summary>On shutdown, how long queued notifications may still be delivered.</summary>
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(5);
}
