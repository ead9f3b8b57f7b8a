namespace JitAdmission.Controller.Notifications;

/// <summary>Waits between delivery attempts: exponential from the initial backoff, capped; a receiver's Retry-After wins when longer (still capped).</summary>
public static class NotificationBackoff
{
    /// <param name="failedAttempt">The attempt that just failed, from 1.</param>
    public static TimeSpan After(int failedAttempt, NotificationOptions options, TimeSpan? retryAfter = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var exponent = Math.Clamp(failedAttempt - 1, 0, 30);
        var ms = options.InitialBackoff.TotalMilliseconds * Math.Pow(2, exponent);
        var delay = ms >= options.MaxBackoff.TotalMilliseconds ? options.MaxBackoff : TimeSpan.FromMilliseconds(ms);
        if (retryAfter is { } asked && asked > delay) delay = asked < options.MaxBackoff ? asked : options.MaxBackoff;
        return delay < TimeSpan.Zero ? TimeSpan.Zero : delay;
    }
}
