namespace JitAdmission.Kubernetes.Events;

internal static partial class EventRecorderLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Event queue full; dropped {Reason} for {Object} ({Dropped} dropped so far)")]
    public static partial void Dropped(ILogger logger, string reason, string @object, long dropped);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Could not record event {Reason} for {Object}")]
    public static partial void SendFailed(ILogger logger, Exception exception, string reason, string @object);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "Ignored an event without an involved object name ({Reason})")]
    public static partial void Invalid(ILogger logger, string reason);
}
