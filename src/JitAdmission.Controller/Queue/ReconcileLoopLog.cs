namespace JitAdmission.Controller.Queue;

internal static partial class ReconcileLoopLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "{Controller}: reconciling {Key} failed (retry {Retry} with backoff)")]
    public static partial void ReconcileFailed(ILogger logger, Exception exception, string controller, string key, int retry);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "{Controller}: {Workers} workers started")]
    public static partial void Started(ILogger logger, string controller, int workers);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "{Controller}: stopped")]
    public static partial void Stopped(ILogger logger, string controller);
}
