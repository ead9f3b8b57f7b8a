namespace JitAdmission.Controller.Policies;

internal static partial class ApprovalPolicyReconcilerLog
{
    [LoggerMessage(EventId = 3201, Level = LogLevel.Information, Message = "ApprovalPolicy {Name}: ready={Ready}, {Pending} pending and {Approved} approved requests")]
    public static partial void StatusWritten(ILogger logger, string name, bool ready, int pending, int approved);
}
