namespace JitAdmission.Controller.Notifications;

internal static partial class NotificationLog
{
    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "notified {Target} of {Announcement} for {Request} (attempt {Attempt})")]
    public static partial void Sent(ILogger logger, string target, string announcement, string request, int attempt);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "notifying {Target} of {Announcement} for {Request} failed (attempt {Attempt} of {MaxAttempts}): {Failure}; retrying in {Delay}")]
    public static partial void Retrying(ILogger logger, string target, string announcement, string request, int attempt, int maxAttempts, string failure, TimeSpan delay);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Error, Message = "notifying {Target} of {Announcement} for {Request} failed for good after {Attempt} attempt(s): {Failure}")]
    public static partial void GaveUp(ILogger logger, string target, string announcement, string request, int attempt, string failure);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Warning, Message = "notification queue full: dropped {Announcement} for {Request}")]
    public static partial void Dropped(ILogger logger, string announcement, string request);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Warning, Message = "notification of {Announcement} for {Request} to {Target} abandoned at shutdown")]
    public static partial void Abandoned(ILogger logger, string announcement, string request, string target);

    [LoggerMessage(EventId = 3106, Level = LogLevel.Error, Message = "could not prepare the notification of {Announcement} for {Request}")]
    public static partial void PrepareFailed(ILogger logger, Exception exception, string announcement, string request);
}
