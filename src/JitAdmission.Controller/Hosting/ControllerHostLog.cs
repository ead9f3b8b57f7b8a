namespace JitAdmission.Controller.Hosting;

internal static partial class ControllerHostLog
{
    [LoggerMessage(EventId = 3301, Level = LogLevel.Information, Message = "leading: the controller reconciles every ApprovalRequest and ApprovalPolicy")]
    public static partial void TermStarted(ILogger logger);

    [LoggerMessage(EventId = 3302, Level = LogLevel.Information, Message = "no longer leading (or stopping): the controller stopped")]
    public static partial void TermEnded(ILogger logger);

    [LoggerMessage(EventId = 3303, Level = LogLevel.Error, Message = "the controller failed; starting it again")]
    public static partial void TermFailed(ILogger logger, Exception exception);
}
