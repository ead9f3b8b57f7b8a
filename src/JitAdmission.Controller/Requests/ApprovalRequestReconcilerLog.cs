namespace JitAdmission.Controller.Requests;

internal static partial class ApprovalRequestReconcilerLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "ApprovalRequest {Key}: {Phase}, approvals {Progress}")]
    public static partial void StatusWritten(ILogger logger, string key, RequestPhase phase, string progress);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "ApprovalRequest {Key} deleted: {Phase} longer ago than the retention of {Retention}")]
    public static partial void Deleted(ILogger logger, string key, RequestPhase phase, TimeSpan retention);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Debug, Message = "ApprovalRequest {Key} approved: its status is left to the call held on it for a moment")]
    public static partial void LeftToHeldCall(ILogger logger, string key);
}
